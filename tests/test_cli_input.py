"""Bad command-line input: one line on stderr, exit 2, nothing written (no database file, no directory)."""

from __future__ import annotations

import pytest

from govwatch.cli import main


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


@pytest.mark.parametrize("argv", [
    ["export", "--year", "99999", "--out", "x.xlsx"],
    ["export", "--year", "abc", "--out", "x.xlsx"],
    ["export", "--out", "x.xlsx"],
    ["publish", "--year", "-1"],
    ["check", "--as-of", "2021-02-30"],
    ["check", "--as-of", "0001-01-01"],
    ["findings", "--format", "yaml"],
    ["web", "--port", "70000"],
    ["nosuchcommand"],
])
def test_usage_errors_exit_2_with_one_line_and_no_database(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVWATCH_DB", raising=False)
    assert main(argv) == 2
    assert "error:" in _err_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_database_in_a_missing_directory_is_refused_and_not_made(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "no" / "such" / "dir" / "x.db"
    assert main(["findings", "--db", f"sqlite:///{target}"]) == 2
    line = _err_line(capsys)
    assert "does not exist" in line and str(target.parent) in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["postgresql://127.0.0.1:1/x", "foo://x", "mysql://u@127.0.0.1:1/x", "::notaurl::"])
def test_an_unusable_database_url_exits_2(tmp_path, monkeypatch, capsys, url):
    monkeypatch.chdir(tmp_path)
    assert main(["findings", "--db", url]) == 2
    assert _err_line(capsys).startswith("govwatch: error: ")
    assert list(tmp_path.iterdir()) == []


def test_a_usage_error_found_after_opening_leaves_no_new_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "x.db"
    assert main(["export", "--year", "2021", "--out", str(tmp_path / "o.xlsx"), "--unit", "nope",
                 "--db", f"sqlite:///{db}"]) == 2
    assert "unknown unit 'nope'" in _err_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_usage_error_keeps_an_existing_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["findings", "--db", url]) == 0
    assert main(["export", "--year", "2021", "--out", "o.xlsx", "--unit", "nope", "--db", url]) == 2
    assert (tmp_path / "x.db").exists()


def test_help_and_version_exit_0(capsys):
    assert main(["--version"]) == 0
    assert main(["export", "--help"]) == 0


@pytest.mark.parametrize("argv", [
    ["export", "--year", "2021", "--out", "{home}"],
    ["publish", "--year", "2021", "--out", "/proc/nope"],
    ["notify", "--dry-run", "--out", "/proc/nope"],
])
def test_an_output_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main([a.format(home=tmp_path) for a in argv] + ["--db", url]) == 1
    line = _err_line(capsys)
    assert line.startswith("govwatch: error: ") and ("Is a directory" in line or "No such file" in line)


def test_findings_into_a_reader_that_stopped_ends_quietly(tmp_path) -> None:
    """``govwatch findings | head``: the reader is gone before the list is written; one quiet exit, no traceback."""
    import os
    import subprocess
    import sys

    cycle = subprocess.run([sys.executable, "-m", "govwatch", "demo", "--as-of", "2021-11-30", "--out", str(tmp_path)],
                           capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert cycle.returncode == 0, cycle.stderr
    db = f"sqlite:///{tmp_path / 'govwatch.db'}"
    for fmt in ("jsonl", "table"):
        read, write = os.pipe()
        os.close(read)  # like head after its lines
        try:
            done = subprocess.run([sys.executable, "-m", "govwatch", "findings", "--db", db, "--format", fmt],
                                  stdout=write, stderr=subprocess.PIPE, text=True, cwd=tmp_path, timeout=120)
        finally:
            os.close(write)
        assert (done.returncode, done.stderr) == (1, ""), fmt
