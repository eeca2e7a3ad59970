# coach's Piper helper: loads one Piper voice model once and answers one
# request per line on stdin, so a whole session is spoken by one process.
# coach runs it with the Python of the environment `piper` is installed
# in (`python -c`); it writes nothing anywhere but its stdout and stderr.
#
# Request: one line of JSON, {"text": "...", "length_scale": 1.0}.
# Answers, each a 4-byte kind, a little-endian u32 length, then that many
# bytes: "RDY " once loaded, with JSON {"sample_rate": N}; "PCM " with
# 16-bit mono samples, little-endian, at that rate; "ERR " with a message
# in UTF-8 (after "ERR " at start-up the helper exits).
import json
import os
import struct
import sys

# The protocol owns the real stdout; anything a library prints goes to
# stderr instead.
out = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)


def send(kind, payload):
    out.write(kind + struct.pack("<I", len(payload)) + payload)
    out.flush()


def main():
    model = sys.argv[1]
    try:
        from piper import PiperVoice, SynthesisConfig
    except Exception as e:
        send(b"ERR ", ("this Python (%s) has no Piper TTS: %s" % (sys.executable, e)).encode())
        return 1
    try:
        voice = PiperVoice.load(model)
    except Exception as e:
        send(b"ERR ", ("cannot load %s: %s: %s" % (model, type(e).__name__, e)).encode())
        return 1
    send(b"RDY ", json.dumps({"sample_rate": voice.config.sample_rate}).encode())
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            config = SynthesisConfig(
                length_scale=float(request.get("length_scale", 1.0)),
                # No noise: the same text always gives the same clip.
                noise_scale=0.0,
                noise_w_scale=0.0,
            )
            chunks = voice.synthesize(request["text"], syn_config=config)
            send(b"PCM ", b"".join(c.audio_int16_bytes for c in chunks))
        except Exception as e:
            send(b"ERR ", ("%s: %s" % (type(e).__name__, e)).encode())
    return 0


sys.exit(main())
