"""The log parser and categoriser on real verifier logs of this kernel (tests/fixtures/vlogs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcfpipe.guest import vmspec
from bcfpipe.load import loadjob, results, vlog

FIXTURES = Path(__file__).parent / "fixtures" / "vlogs"
EXPECTED_FIRST_LINE = {
    "ctx_access": "invalid bpf_context access off=28 size=4",
    "lock": "function calls are not allowed while holding a lock",
    "map_value_bounds": "invalid access to map value, value_size=256 off=536870904 size=8",
    "negative_offset": "R0 min value is negative, either use unsigned index or do a if (index >=0) "
    "check.",
    "packet_bounds": "invalid access to packet, off=0 size=4, R1(id=2,off=0,r=0)",
    "ptr_arith": "value -1152921504606846960 makes map_value pointer be out of bounds",
    "scalar_deref": "R7 invalid mem access 'scalar'",
    "uninit_reg": "R7 !read_ok",
}


@pytest.mark.parametrize("category", sorted(EXPECTED_FIRST_LINE))
def test_real_rejections(category: str) -> None:
    text = (FIXTURES / f"{category}.log").read_text()
    stats = vlog.parse(text)
    assert stats.error_line == EXPECTED_FIRST_LINE[category]
    assert stats.insns_processed and stats.insns_processed > 0
    assert stats.total_states is not None and stats.peak_states is not None
    assert stats.verification_time_us and stats.verification_time_us > 0
    assert vlog.categorize(stats.error_lines) == (category, "rejected")


def test_two_line_message_keeps_both_lines() -> None:
    stats = vlog.parse((FIXTURES / "map_value_bounds.log").read_text())
    assert stats.error_lines[1] == "R0 max value is outside of the allowed memory range"


def test_loaded_program_statistics() -> None:
    stats = vlog.parse((FIXTURES / "loaded.log").read_text())
    assert (stats.insns_processed, stats.total_states, stats.peak_states) == (18, 1, 1)
    assert stats.verification_time_us == 9382 and stats.stack_depth == "8"
    assert stats.error_lines == []


def test_normalize_abstracts_registers_and_numbers() -> None:
    assert vlog.normalize("R3 invalid access to map value, value_size=16 off=31 size=1") == (
        "R# invalid access to map value, value_size=N off=N size=N"
    )


def test_compat_classes() -> None:
    assert vlog.categorize(["invalid func unknown#195896080"]) == (
        "core_relocation",
        "compat_issue",
    )
    assert vlog.categorize(["unknown func bpf_foo#9999"]) == ("unknown_helper", "compat_issue")
    assert vlog.categorize(["invalid func unknown#9999"]) == ("unknown_helper", "compat_issue")
    assert (
        vlog.categorize([], "libbpf: legacy map definitions in 'maps' section are not supported")[1]
        == "compat_issue"
    )
    assert vlog.categorize([], "") == ("load_failure", "compat_issue")
    assert vlog.categorize(["something new"]) == ("other", "rejected")


def test_program_result_classification() -> None:
    text = (FIXTURES / "scalar_deref.log").read_text()
    r = loadjob.program_result({"stage": "load", "name": "p", "err": "-13"}, text, "")
    assert r["verdict"] == "rejected" and r["errno"] == 13
    assert r["error_category"] == "scalar_deref"
    assert r["error_normalized"] == "R# invalid mem access 'scalar'"
    ok = loadjob.program_result(
        {"stage": "load", "name": "p", "err": "0"}, (FIXTURES / "loaded.log").read_text(), ""
    )
    assert ok["verdict"] == "loaded" and ok["error_line"] == "" and ok["insns_processed"] == 18
    opened = loadjob.program_result({"stage": "open", "err": "-22"}, "", "libbpf: bad ELF\n")
    assert opened["verdict"] == "compat_issue" and opened["error_line"] == "libbpf: bad ELF"


def test_object_verdict_is_the_worst_program() -> None:
    progs = [{"verdict": "loaded"}, {"verdict": "compat_issue"}, {"verdict": "rejected"}]
    assert results.object_verdict(progs, "loaded") == "rejected"
    assert results.object_verdict([], "vm_crash") == "vm_crash"


def test_guest_script_marks_running_before_the_loader() -> None:
    script = loadjob.guest_script(
        [loadjob.ObjectJob(Path("a.o"), "p", {"prog": "xdp"})], per_object_timeout=7
    )
    running = script.index("echo running > out/0/status")
    loader = script.index("timeout 7 bcfpipe-load -L 4 -t prog=xdp objs/0/a.o out/0")
    assert running < loader
    assert "if [ ! -f out/0/done ]" in script
    # Only the loader and its timeout start processes: each costs milliseconds in the emulated
    # guest, and a write to the uncached share is on the host when it returns (no sync).
    assert not {"sync", "mkdir", "touch", "mv"} & set(script.replace(";", " ").split())


def test_guest_script_asks_for_the_configured_log_level() -> None:
    job = loadjob.ObjectJob(Path("a.o"), "p", {})
    trace = vmspec.LOG_LEVELS["trace"]
    assert "bcfpipe-load -L 5 objs/0/a.o" in loadjob.guest_script([job], 7, log_level=trace)
    assert "bcfpipe-load -L 4 -B certs/0 objs/0/a.o" in loadjob.guest_script([job], 7, bcf=True)


def test_loader_exit_codes(tmp_path: Path) -> None:
    assert loadjob._finished(143, tmp_path)[0] == "timeout"  # busybox timeout, SIGTERM
    assert loadjob._finished(124, tmp_path)[0] == "timeout"
    assert loadjob._finished(139, tmp_path)[0] == "vm_crash"  # died before writing results
    (tmp_path / "programs").write_text("1\n")
    assert loadjob._finished(0, tmp_path) == ("ok", "")


# Real logs of one program each at log level 4 (load.verifier_log 'stats') and 1|4 ('trace'),
# from the stock kernel: the same error lines must come out of both.
LEVELS = FIXTURES / "levels"
LEVEL_ERRORS = {
    # the main program's BTF signature message precedes the error at level 4
    "btf_prelude": [
        "math between map_value pointer and register with unbounded min value is not allowed"
    ],
    # level 4 names the failing instruction's source line after the error
    "source_after_error": ["invalid bpf_context access off=28 size=4"],
    "source_between_messages": [
        "invalid bpf_context access off=3 size=1",
        "Caller passes invalid args into func#1 ('subprog_user_anon_mem')",
    ],
    # a tracing program's typed argument access prints a note on the failing path
    "typed_argument_note": ["helper call is not allowed in probe"],
    "note_then_two_lines": [
        "cannot access ptr member buf with moff 0 in struct seq_file with off 0 size 1",
        "kernel function bpf_arena_alloc_pages args#0 expected pointer to STRUCT bpf_map but R1 "
        "has a pointer to STRUCT seq_file",
    ],
}


@pytest.mark.parametrize("name", sorted(LEVEL_ERRORS))
@pytest.mark.parametrize("level", ["stats", "trace"])
def test_both_log_levels_give_the_same_error(name: str, level: str) -> None:
    text = (LEVELS / f"{name}.{level}.log").read_text()
    stats = vlog.parse(text)
    assert stats.error_lines == LEVEL_ERRORS[name]
    assert stats.insns_processed is not None and stats.total_states is not None
    assert ("0: R1=ctx() R10=fp0" in text) == (level == "trace")


def test_a_prelude_message_alone_is_the_error() -> None:
    # A global subprogram whose BTF the verifier cannot check fails with that message alone.
    text = (
        "Validating f() func#1...\n"
        "Global function f() doesn't return scalar. Only those are supported.\n"
        "verification time 5 usec\nstack depth 0+0\n"
        "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
        "mark_read 0\n"
    )
    assert vlog.parse(text).error_lines == [
        "Global function f() doesn't return scalar. Only those are supported."
    ]
    only = (
        "arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n" + text.split("\n", 2)[2]
    )
    assert vlog.parse(only).error_line.startswith("arg#0 reference type")
