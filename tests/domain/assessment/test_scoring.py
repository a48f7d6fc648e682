"""Worked examples, each total computed by hand in the comments."""

from __future__ import annotations

from caseclient.domain.assessment.scoring import risk_level, score_assessment
from caseclient.domain.records import RiskLevel
from tests.domain.assessment.builders import shipped, small_template


def test_small_template_worked_example() -> None:
    # s1: weights (1, 2), threshold 3. Answers 1 and 1 → raw 2, weighted 1×1 + 1×2 = 3 → a need.
    # s2 is shown (gate "dont_know"): weights (1, 1, 1), threshold 2. Answers 0, 1, unanswered →
    #   raw 1, weighted 1 → not (yet) a need, incomplete.
    answers = {"gate.risk": "dont_know", "s1.q1": 1, "s1.q2": 1, "s1.harm": True, "s1.offending": False,
               "s2.q1": 0, "s2.q2": 1}
    scores = score_assessment(small_template(), answers)
    s1, s2 = scores.sections
    assert (s1.raw_total, s1.weighted_total, s1.max_weighted, s1.is_need, s1.complete) == (
        2, 3, 6, True, True)
    assert (s1.linked_to_harm, s1.linked_to_offending) == (True, False)
    assert (s2.raw_total, s2.weighted_total, s2.is_need, s2.complete) == (1, 1, False, False)
    assert (s2.scored_answered, s2.scored_shown) == (2, 3)
    assert s2.linked_to_harm is None
    assert scores.needs == ("s1",)


def test_a_hidden_section_neither_scores_nor_appears() -> None:
    # gate "no" hides s2: its stored answers (2, 2, 2 = weighted 6, a need if shown) do not count.
    answers = {"gate.risk": "no", "s2.q1": 2, "s2.q2": 2, "s2.q3": 2}
    scores = score_assessment(small_template(), answers)
    assert [s.section_id for s in scores.sections] == ["s1"]
    assert scores.needs == ()
    shown = score_assessment(small_template(), {**answers, "gate.risk": "yes"})
    assert shown.needs == ("s2",) and shown.sections[1].weighted_total == 6


def test_answers_that_do_not_fit_are_not_counted() -> None:
    # 3 is not a score, True is not a score, "2" is text: s1 counts nothing.
    scores = score_assessment(small_template(), {"s1.q1": 3, "s1.q2": "2"})
    assert scores.sections[0].weighted_total == 0
    assert score_assessment(small_template(), {"s1.q1": True}).sections[0].raw_total == 0


def test_overall_risk_is_the_highest_community_level() -> None:
    # public: community MEDIUM, custody VERY_HIGH; staff: community HIGH → overall HIGH (custody ignored).
    answers = {"sum.public.c": "MEDIUM", "sum.public.k": "VERY_HIGH", "sum.staff.c": "HIGH",
               "sum.staff.k": "LOW"}
    scores = score_assessment(small_template(), answers)
    assert scores.overall_risk is RiskLevel.HIGH
    assert [(g.group_id, g.community, g.custody) for g in scores.groups] == [
        ("public", RiskLevel.MEDIUM, RiskLevel.VERY_HIGH), ("staff", RiskLevel.HIGH, RiskLevel.LOW)]
    assert score_assessment(small_template(), {}).overall_risk is None


def test_risk_level_reads_older_lower_case_values() -> None:
    assert risk_level("very_high") is RiskLevel.VERY_HIGH
    assert risk_level("LOW") is RiskLevel.LOW
    assert risk_level("extreme") is None and risk_level(2) is None


def full_example() -> dict[str, object]:
    return {
        # s3 accommodation, weights (2, 1, 1, 1), threshold 2:
        #   2×2 + 1×1 + 0×1 + 1×1 = 6 (raw 4) → need
        "s3.q1": 2, "s3.q2": 1, "s3.q3": 0, "s3.q4": 1,
        "s3.linked_to_harm": False, "s3.linked_to_offending": True,
        # s9 alcohol, weights (1, 1, 1, 2, 1), threshold 3:
        #   0 + 1 + 0 + 1×2 + 0 = 3 (raw 2) → need, exactly at the threshold
        "s9.q1": 0, "s9.q2": 1, "s9.q3": 0, "s9.q4": 1, "s9.q5": 0,
        # s11 thinking and behaviour, weights (1, 2, 1, 1, 1, 1), threshold 4:
        #   1 + 0×2 + 1 + 0 + 1 + 0 = 3 (raw 3) → not a need
        "s11.q1": 1, "s11.q2": 0, "s11.q3": 1, "s11.q4": 0, "s11.q5": 1, "s11.q6": 0,
        # s8 drugs: never used, so the stored 2s are hidden and count 0
        "s8.ever_used": "no", "s8.q1": 2, "s8.q2": 2,
        # RoSH summary: known adult HIGH in the community is the highest → overall HIGH;
        # prisoners VERY_HIGH in custody does not count towards the overall (community) level.
        "r3.children.community": "LOW", "r3.children.custody": "LOW",
        "r3.public.community": "MEDIUM", "r3.public.custody": "LOW",
        "r3.known_adult.community": "HIGH", "r3.known_adult.custody": "MEDIUM",
        "r3.staff.community": "LOW", "r3.staff.custody": "LOW",
        "r3.prisoners.community": "LOW", "r3.prisoners.custody": "VERY_HIGH",
    }


def test_shipped_template_worked_example() -> None:
    scores = score_assessment(shipped(), full_example())
    s3, s8, s9, s11 = (scores.section(i) for i in ("s3", "s8", "s9", "s11"))
    assert s3 is not None
    assert (s3.raw_total, s3.weighted_total, s3.max_weighted, s3.is_need) == (4, 6, 10, True)
    assert (s3.linked_to_harm, s3.linked_to_offending) == (False, True)
    assert s9 is not None and (s9.raw_total, s9.weighted_total, s9.is_need) == (2, 3, True)
    assert s11 is not None and (s11.raw_total, s11.weighted_total, s11.is_need, s11.complete) == (
        3, 3, False, True)
    assert s8 is not None and (s8.weighted_total, s8.scored_shown, s8.complete) == (0, 0, True)
    assert scores.needs == ("s3", "s9")
    assert scores.overall_risk is RiskLevel.HIGH
    assert not scores.full_analysis_open


def test_predictors_are_not_calculated_and_say_why() -> None:
    scores = score_assessment(shipped(), full_example())
    (ogrs3,) = scores.predictors
    assert ogrs3.value is None
    assert "Not calculated" in ogrs3.reason and "OGRS3" in ogrs3.reason


def test_scores_json_summary_for_the_record() -> None:
    stored = score_assessment(shipped(), full_example()).to_json()
    assert stored["format"] == 1
    assert stored["needs"] == ["s3", "s9"]
    assert stored["overall_risk"] == "HIGH"
    assert stored["sections"]["s3"] == {"raw": 4, "weighted": 6, "max": 10, "threshold": 2,
                                        "need": True, "complete": True, "linked_to_harm": False,
                                        "linked_to_offending": True}
    assert stored["groups"]["prisoners"] == {"community": "LOW", "custody": "VERY_HIGH"}
    assert stored["predictors"]["ogrs3"]["value"] is None


def test_screening_yes_opens_the_full_analysis() -> None:
    assert score_assessment(shipped(), {"r1.arson": "yes"}).full_analysis_open
    assert score_assessment(shipped(), {"r1.arson": "dont_know"}).full_analysis_open
    assert not score_assessment(shipped(), {"r1.arson": "no"}).full_analysis_open
