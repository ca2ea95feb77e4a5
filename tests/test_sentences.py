"""Sentence splitting and excerpts on Korean news prose."""

import pytest

from crawler.korean.sentences import EXCERPT_LIMIT, make_excerpt, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "삼성전자가 신제품을 공개했다. 가격은 215만원이다.",
            ["삼성전자가 신제품을 공개했다.", "가격은 215만원이다."],
        ),
        (
            '그는 "AI PC의 시대가 왔다"고 말했다. 이어 "준비됐다"고 덧붙였다.',
            ['그는 "AI PC의 시대가 왔다"고 말했다.', '이어 "준비됐다"고 덧붙였다.'],
        ),
        (
            "가격은 35.6㎝(14인치) 215만원이다. 출시는 18일이다.",
            ["가격은 35.6㎝(14인치) 215만원이다.", "출시는 18일이다."],
        ),
        ("이건 똥입니다.” 한 배달업체 리뷰다.", ["이건 똥입니다.”", "한 배달업체 리뷰다."]),
        ("정말일까? 그렇다! 확인했다.", ["정말일까?", "그렇다!", "확인했다."]),
        ("공개했다.이어 설명했다.", ["공개했다.", "이어 설명했다."]),
        (
            "U.S. officials met on Aug. 20 in Seoul. They agreed.",
            ["U.S. officials met on Aug. 20 in Seoul.", "They agreed."],
        ),
        ("미국 U.S. 스틸이 발표했다.", ["미국 U.S. 스틸이 발표했다."]),
        (
            "Samsung Electronics Co. and Apple Inc. agreed today. Next came more.",
            ["Samsung Electronics Co. and Apple Inc. agreed today.", "Next came more."],
        ),
        # a run of letters and dots longer than any abbreviation ends the sentence at its last dot
        ("자료는 news.example.com. 에 있다.", ["자료는 news.example.com.", "에 있다."]),
        ("He met Mr. Lee. Then left.", ["He met Mr. Lee.", "Then left."]),
        # a run of marks ends a sentence where a space follows it, wherever it begins
        ("정말?!?!?! 그렇다.", ["정말?!?!?!", "그렇다."]),
        ("." * 5000 + "끝", ["." * 5000 + "끝"]),
        ("제목만 있고 마침표가 없다", ["제목만 있고 마침표가 없다"]),
        ("", []),
        ("버전 2.0이 나왔다… 기대된다.", ["버전 2.0이 나왔다… 기대된다."]),
        (
            "그는 “준비됐다. 곧 낸다.”고 말했다. 이어 떠났다.",
            ["그는 “준비됐다. 곧 낸다.”고 말했다.", "이어 떠났다."],
        ),
        (
            '그는 "준비됐다. 곧 낸다"며 웃었다. 이어 떠났다.',
            ['그는 "준비됐다. 곧 낸다"며 웃었다.', "이어 떠났다."],
        ),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_excerpt_keeps_whole_sentences_within_the_limit():
    sentence = "삼성전자가 올해 더 강력한 인공지능 기능을 갖춘 노트북으로 국내 시장을 주도한다."
    excerpt = make_excerpt([sentence * 1, " ".join([sentence] * 10)])
    assert len(excerpt) <= EXCERPT_LIMIT
    assert excerpt.endswith("주도한다.")
    assert excerpt.count(sentence) == len(excerpt) // len(sentence)


def test_excerpt_cuts_an_overlong_first_sentence_at_a_word_with_ellipsis():
    words = "아주 긴 첫 문장이 이어지고 " * 30
    excerpt = make_excerpt([words + "끝난다."])
    assert excerpt.endswith("…")
    assert len(excerpt) <= EXCERPT_LIMIT
    assert words.startswith(excerpt[:-1])
    assert not excerpt[:-1].endswith(" ")


def test_excerpt_of_empty_body_is_empty():
    assert make_excerpt([]) == ""
