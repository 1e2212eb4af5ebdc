"""The README's promises beyond the tour (tests/test_readme_tour.py): its two set-up commands, its Python
example, and a reason for every dependency."""

import configparser
import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_top_shows_the_two_setup_commands_and_ci_runs_the_second():
    commands = re.findall(r"^    (python3 -m venv .*)$", README, flags=re.M)
    assert len(commands) == 2
    assert commands[0].endswith("qcode run") and commands[1].endswith("python -m pytest")
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert README.index("## Start your own project") < README.index(commands[1]) + 1500   # within the first screen


def test_readme_says_how_to_activate_the_venv_before_the_first_qcode_command():
    assert README.index(". .venv/bin/activate") < README.index("$ qcode ")


def test_readme_from_python_example_runs_and_prints_what_it_says(monkeypatch, capsys):
    block = re.search(r"## From Python\n.*?```python\n(.*?)```", README, flags=re.S).group(1)
    monkeypatch.chdir(REPO)                     # the example names the sample's folder as a researcher would
    exec(compile(block, "README.md (From Python)", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "69"                    # the comment in the README says so
    shown = re.findall(r"^# (.*)$", block, flags=re.M)
    assert printed[1:-1] == shown                # the by_group table, as pasted in the README
    assert printed[-1] == "tw2sp ['公平', '利益分配', '透明']"


def test_readme_gives_a_reason_for_every_dependency_setup_cfg_installs():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    requirements = config["options"]["install_requires"].splitlines()
    for extra in config["options.extras_require"].values():
        requirements += extra.splitlines()
    names = {re.match(r"[A-Za-z0-9_.-]+", r.strip()).group(0).lower() for r in requirements
             if r.strip() and not r.strip().startswith("#")}
    section = README.split("## Dependencies and why")[1].split("\n## ")[0]
    listed = set()
    for first_cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.M):
        listed |= {word.lower() for word in re.findall(r"[A-Za-z0-9_.-]+", first_cell)}
    assert names - listed == set()
