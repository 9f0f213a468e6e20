"""The page's WebSocket frames: what decode_frame accepts and refuses (one line each), and that
replies are JSON a browser can parse (no NaN)."""
from __future__ import annotations

import json

import pytest

from synth_server.control.web import WebMessageError, decode_frame, encode_reply

pytestmark = pytest.mark.unit


def test_a_message_and_a_list_of_messages_decode_to_address_args_pairs():
    assert decode_frame('{"address": "/pad", "args": [0.25, 1]}') == [("/pad", [0.25, 1])]
    assert decode_frame('[{"address": "/ping"}, {"address": "/gain", "args": [0.5]}]') == \
        [("/ping", []), ("/gain", [0.5])]


@pytest.mark.parametrize("frame, why", [
    ("not json", "not JSON"),
    ('{"address": "/gain", "args": [NaN]}', "not JSON"),
    ('{"address": "/gain", "args": [1e999]}', "finite"),
    ('{"address": "/sustain", "args": [true]}', "0 or 1"),
    ('{"address": "pad", "args": []}', "starts with /"),
    ('{"args": [1]}', "address"),
    ('{"address": "/gain", "args": 1}', "must be a list"),
    ('{"address": "/gain", "args": [[1]]}', "numbers or strings"),
    (json.dumps({"address": "/preset/store", "args": ["x" * 300]}), "longer than"),
    (json.dumps([{"address": "/ping"}] * 33), "at most 32"),
    ("[" * 100000 + "]" * 100000, "not JSON"),
])
def test_bad_frames_are_refused_in_one_line(frame, why):
    with pytest.raises(WebMessageError) as refused:
        decode_frame(frame)
    assert why in str(refused.value) and "\n" not in str(refused.value)


def test_replies_are_json_without_nan():
    text = encode_reply("/state/latency_ms", (float("nan"), 2.5))
    assert json.loads(text) == {"address": "/state/latency_ms", "args": [None, 2.5]}
