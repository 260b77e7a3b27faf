"""Table-driven device tests: rows of (description, function, args, expected) (not a test module)."""


def mismatches(cases):
    """Call every row; -> one line for each result that differs from the expected one or raised."""
    bad = []
    for desc, fn, args, exp in cases:
        try:
            got = fn(*args)
        except Exception as e:
            bad.append("%s raised %r" % (desc, e))
            continue
        if got != exp:
            bad.append("%s = %r, expected %r" % (desc, got, exp))
    return bad


def check(cases):
    """Assert that every row gives its expected result."""
    bad = mismatches(cases)
    assert not bad, "%d of %d wrong:\n  %s" % (len(bad), len(cases), "\n  ".join(bad))
