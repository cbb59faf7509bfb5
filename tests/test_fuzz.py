"""Fuzzing: random YAML-ish files and structures give the config loader only ConfigError; random command lines give
the CLI only the exit codes 0, 1 and 2 with no traceback (run in-process through ``govwatch.cli.main``)."""

from __future__ import annotations

import contextlib
import io
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from config.loader import load_config, parse_config
from govwatch.cli import main
from govwatch.errors import ConfigError

FUZZ = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

KEYS = ["county", "timezone", "database", "monitoring", "start", "end", "units", "id", "name", "kind", "contacts",
        "email", "sites", "url", "columns", "category", "top_level", "render", "accounts", "platform", "base_url",
        "crawl", "delay", "timeout", "redirect_hosts", "schedule", "crawl", "probe", "lease_seconds", "notify",
        "smtp", "host", "port", "webhooks", "type", "rules", "output_dir", "links", "content", "web", "platforms",
        "options", "extractor", "selectors", "max_pages", "obey_robots", "unit_cadence", "duty"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["department", "news", "weibo", "rss", "http://127.0.0.1:9/a/",
                                           "2021-13-01", "2021-01-01", "every 0m", "every 5m", "* * * * *",
                                           "${NOPE}", "${HOME}", "${X:-y}", "Asia/Nowhere", "off", "/dev/zero",
                                           "sqlite:///x.db", "a\x00b", "*.gov.cn", "", " "]),
)
TREES = st.recursive(SCALARS, lambda kids: st.one_of(
    st.lists(kids, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), kids, max_size=5)), max_leaves=25)
CONFIGS = st.fixed_dictionaries({"county": SCALARS}, optional={
    k: TREES for k in ("units", "crawl", "schedule", "notify", "monitoring", "database", "timezone", "links",
                       "content", "platforms", "web", "output_dir")})
YAML_TOKENS = st.sampled_from([
    "county: x\n", "units:\n", "  - id: a\n", "    name: 甲\n", "    kind: department\n", "    sites:\n",
    "      - url: http://127.0.0.1:9/\n", "        columns: [{name: 工作动态, url: http://127.0.0.1:9/g/}]\n",
    ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "*b", "&b [*a, *a]", "!!python/object:os.system ", "!!binary ",
    "!!timestamp 2021-13-01", "${NOPE}", "'", '"', "|\n", ">\n", "? ", "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n",
    "\t", "  ", "\n", "#", "\ufeff", "\x85", "\u2028", "2021-02-30", "0x1F", ".inf", "~", "null", "yes",
])


def _only_config_errors(run) -> None:
    try:
        run()
    except ConfigError as exc:
        assert str(exc) and "Traceback" not in str(exc)


@FUZZ
@given(text=st.text(max_size=300))
@example(text="county: x\nrules: \"a\\0b\"\n")
@example(text="county: [1, 2]\n")
@example(text="- a\n- b\n")
def test_random_text_gives_only_config_errors(tmp_path, text):
    p = tmp_path / "govwatch.yaml"
    p.write_text(text, encoding="utf-8", errors="surrogatepass")
    _only_config_errors(lambda: load_config(p))


@FUZZ
@given(tokens=st.lists(YAML_TOKENS, max_size=30))
def test_yamlish_token_soup_gives_only_config_errors(tmp_path, tokens):
    p = tmp_path / "govwatch.yaml"
    p.write_text("".join(tokens), encoding="utf-8")
    _only_config_errors(lambda: load_config(p))


@FUZZ
@given(data=CONFIGS)
def test_random_structures_give_only_config_errors(tmp_path, data):
    _only_config_errors(lambda: parse_config(data, str(tmp_path / "c.yaml"), base_dir=tmp_path))
    p = tmp_path / "dumped.yaml"
    try:
        p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    _only_config_errors(lambda: load_config(p))


# --- the command line ---------------------------------------------------------------------------------------------

#: commands that neither serve forever nor reach the network (run, crawl, probe, links, discover, explain, demo,
#: serve and web do; they take the same common options, covered here)
COMMANDS = ["findings", "finding", "export", "publish", "appeal", "rules", "status", "check", "notify", "user",
            "bogus", "--version", "-h", ""]
OPTIONS = ["--config", "--db", "-v", "--as-of", "--year", "--out", "--format", "--unit", "--rule", "--status",
           "--state", "--severity", "--date", "--kind", "--dry-run", "--reason", "--actor", "--made-on", "--uphold",
           "--overturn", "--role", "--display-name", "confirm", "dismiss", "reopen", "show", "file", "decide", "list",
           "disable", "--", "-", "--help"]


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVWATCH_DB", raising=False)
    cfg = tmp_path / "govwatch.yaml"
    cfg.write_text(f"county: 示范县\noutput_dir: {tmp_path / 'out'}\nunits:\n  - id: fgj\n    name: 发展改革局\n"
                   "    kind: department\n    sites:\n      - url: http://127.0.0.1:9/fgj/\n        columns:\n"
                   "          - {name: 工作动态, url: 'http://127.0.0.1:9/fgj/gzdt/'}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["check", "--config", str(cfg), "--db", url, "--as-of", "2021-11-30"]) == 0
    return tmp_path, cfg, url


def _values(home: Path, cfg: Path, url: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([
            str(cfg), str(home / "missing.yaml"), str(home), url, "sqlite:////nonexistent/dir/x.db",
            "postgresql://127.0.0.1:1/x", "foo://", "2021-11-30", "2021-02-30", "0001-01-01", "9999-12-31", "2021",
            "99999", "-1", "0", "1", "fgj", "nope", "column.stale", "table", "jsonl", "json", "csv", "xlsx",
            "open", "digest", "admin", "unit", str(home / "o.xlsx"), str(home / "o.csv"), str(home / "outdir"),
            str(home / "no" / "such" / "o.xlsx"), "/proc/nope", "理由", "\u202e", "a" * 300,
        ]),
        st.text(alphabet=string.printable + "中文", max_size=12),
    )


@settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_random_command_lines_exit_0_1_or_2_without_a_traceback(cli_home, data):
    home, cfg, url = cli_home
    values = _values(home, cfg, url)
    command = data.draw(st.sampled_from(COMMANDS), label="command")
    pairs = st.tuples(st.sampled_from(OPTIONS), values).map(list)
    singles = st.one_of(st.sampled_from(OPTIONS), values).map(lambda v: [v])
    rest = [a for part in data.draw(st.lists(st.one_of(pairs, singles), max_size=5), label="args") for a in part]
    if "--config" not in rest and data.draw(st.integers(0, 4), label="with config") > 0:
        rest += ["--config", str(cfg), "--db", url]
    argv = [a for a in [command, *rest] if a != ""] if command else rest
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.suppress(BrokenPipeError):
        code = main(argv)
    event(f"exit {code}")
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue(), (argv, err.getvalue())
    if code == 2:
        assert err.getvalue().strip(), argv
