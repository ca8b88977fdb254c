"""What the notation tests of the checker share: check a write-up against a prepared problem and
read the verdicts off its report."""
from derive.check.run import check_text


def check(problems, pid, text):
    """The report of ``text`` checked against problem ``pid``, and its steps as tuples for messages."""
    report = check_text(text, "student.md", problems(pid))
    return report, [(s.line, s.status, s.move, s.reason) for s in report.steps]


def status_at(report, line):
    """The statuses of the steps on one source line, in order."""
    return [s.status for s in report.steps if s.line == line]


def finals(report):
    """Part id -> status of its final answer."""
    return {p.part: p.final_answer.status for p in report.parts}
