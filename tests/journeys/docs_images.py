"""Copy the main steps' screenshots from instance/journeys/ into docs/images/journeys/, small.

Run after the journeys: `.venv/bin/python tests/journeys/docs_images.py`. Each picture is cut to
its first screenful, a PC's halved, a phone's at its size in points, and stored with a 64-colour palette.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "instance" / "journeys"
OUT = ROOT / "docs" / "images" / "journeys"
# (test folder, step file's end, name in docs)
MAIN = [
    ("test_a_residents_ordinary_week-pc", "registration.png", "1-pc-registration.png"),
    ("test_a_residents_ordinary_week-pc", "two-friend-requests.png", "1-pc-friend-requests.png"),
    ("test_a_residents_ordinary_week-pc", "diary-entry.png", "1-pc-diary-entry.png"),
    ("test_a_residents_ordinary_week-phone", "profile-with-photo.png", "1-phone-profile.png"),
    ("test_a_residents_ordinary_week-phone", "joined-community.png", "1-phone-community.png"),
    ("test_a_residents_ordinary_week-phone", "keitai-login.png", "1-keitai-login.png"),
    ("test_a_residents_ordinary_week-phone", "keitai-answer.png", "1-keitai-answer.png"),
    ("test_the_city_on_the_night_of_a_flood-pc", "disaster-start-form.png", "2-pc-disaster-start.png"),
    ("test_the_city_on_the_night_of_a_flood-pc", "report-form.png", "2-pc-report-form.png"),
    ("test_the_city_on_the_night_of_a_flood-pc", "triage-queue.png", "2-pc-triage.png"),
    ("test_the_city_on_the_night_of_a_flood-pc", "friend-screen.png", "2-pc-friend-screen.png"),
    ("test_the_city_on_the_night_of_a_flood-pc", "archive.png", "2-pc-archive.png"),
    ("test_the_city_on_the_night_of_a_flood-phone", "checkin-form.png", "2-phone-checkin.png"),
    ("test_the_city_on_the_night_of_a_flood-phone", "report-on-the-map.png", "2-phone-report-on-the-map.png"),
    ("test_the_city_on_the_night_of_a_flood-phone", "quake-screen.png", "2-phone-quake-screen.png"),
    ("test_the_city_on_the_night_of_a_flood-phone", "keitai-checkin.png", "2-keitai-checkin.png"),
    ("test_the_city_on_the_night_of_a_flood-phone", "keitai-disaster-screen.png", "2-keitai-disaster-screen.png"),
    ("test_a_moderators_community_survey-pc", "survey-questions.png", "3-pc-survey-questions.png"),
    ("test_a_moderators_community_survey-phone", "member-answers.png", "3-phone-answer.png"),
    ("test_a_moderators_community_survey-pc", "survey-charts.png", "3-pc-charts.png"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for folder, end, name in MAIN:
        found = sorted((SHOTS / folder).glob(f"*-{end}"))
        if not found:
            print(f"missing: {folder}/*-{end} (run the journeys first)")
            continue
        image = Image.open(found[-1]).convert("RGB")
        if "-phone" in name:  # taken at 3 device pixels a point: back to the phone's 390 points
            image = image.resize((image.width // 3, image.height // 3))
        elif image.width > 900:  # a PC's 1280: halved
            image = image.resize((image.width // 2, image.height // 2))
        image = image.crop((0, 0, image.width, min(image.height, 900)))
        image.quantize(colors=64).save(OUT / name, optimize=True)
        print(f"{name}: {(OUT / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
