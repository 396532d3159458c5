"""The hash chain catches every edit, deletion, insertion and reordering (property test)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from onestop.audit.chain import GENESIS, entry_hash, find_break


def build(n: int) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        content = {
            "seq": seq,
            "at": f"2026-11-23T00:00:{seq % 60:02d}.000000+00:00",
            "actor_id": str(seq % 3),
            "actor_label": f"user{seq % 3}",
            "role": "x",
            "action": f"test.action{seq}",
            "target_type": "t",
            "target_id": str(seq),
            "outcome": "success",
            "changes": {"n": seq, "名": "值"},
            "request_id": "r",
            "client_address": "127.0.0.1",
            "channel": "web",
        }
        digest = entry_hash(content, prev)
        chain.append({**content, "prev_hash": prev, "hash": digest})
        prev = digest
    return chain


def check(chain: list[dict[str, Any]], head: tuple[int, str]) -> Any:
    return find_break(sorted(chain, key=lambda e: e["seq"]), head_seq=head[0], head_hash=head[1])


def head_of(chain: list[dict[str, Any]]) -> tuple[int, str]:
    return chain[-1]["seq"], chain[-1]["hash"]


@given(st.integers(min_value=1, max_value=30))
def test_an_untouched_chain_verifies(n: int) -> None:
    chain = build(n)
    assert check(chain, head_of(chain)) == (n, None)


TAMPER = st.sampled_from(["edit", "edit_rehash", "delete", "insert", "reorder"])


@given(st.data(), st.integers(min_value=2, max_value=25), TAMPER)
def test_every_tampering_is_caught_at_the_first_broken_entry(data: Any, n: int, op: str) -> None:
    chain = build(n)
    head = head_of(chain)
    i = data.draw(st.integers(min_value=0, max_value=n - 1), label="position")
    if op == "edit":
        field = data.draw(
            st.sampled_from(["actor_label", "action", "target_id", "changes", "at", "outcome"]),
            label="field",
        )
        chain[i] = {**chain[i], field: {"forged": True} if field == "changes" else "forged"}
        expected = i + 1
    elif op == "edit_rehash":
        # An attacker who edits an entry and recomputes its own hash breaks the next link.
        forged = {**chain[i], "action": "forged"}
        forged["hash"] = entry_hash(forged, forged["prev_hash"])
        chain[i] = forged
        expected = i + 2
    elif op == "delete":
        # The entry after the gap no longer fits; a missing last entry shows at the head.
        del chain[i]
        expected = i + 2 if i < n - 1 else n
    elif op == "insert":
        # A forged entry linked correctly to its predecessor, later entries renumbered.
        prev = chain[i - 1]["hash"] if i else GENESIS
        forged = {**chain[i], "action": "forged"}
        forged["prev_hash"] = prev
        forged["hash"] = entry_hash(forged, prev)
        shifted = [{**e, "seq": e["seq"] + 1} for e in chain[i:]]
        chain = [*chain[:i], forged, *shifted]
        expected = i + 2
    else:
        j = data.draw(
            st.integers(min_value=0, max_value=n - 1).filter(lambda j: j != i), label="other"
        )
        a, b = min(i, j), max(i, j)
        chain[a], chain[b] = (
            {**chain[b], "seq": chain[a]["seq"]},
            {**chain[a], "seq": chain[b]["seq"]},
        )
        expected = a + 1
    checked, broken = check(chain, head)
    assert broken is not None, op
    if op == "edit_rehash" and i == n - 1:
        expected = n  # the head no longer matches the last entry
    assert broken.seq == expected, (op, i, broken)
    at_head = "head" in broken.reason
    if op == "delete":
        assert checked == i
    else:
        assert checked == (broken.seq if at_head else broken.seq - 1)


def test_truncating_the_end_is_caught_by_the_head() -> None:
    chain = build(5)
    checked, broken = check(chain[:3], head_of(chain))
    assert checked == 3
    assert broken is not None and broken.seq == 4
    assert "head says 5" in broken.reason
