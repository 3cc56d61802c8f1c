"""The watch matcher on Russian sentences: every rule of issue 4 and its traps."""

import pytest

from pipelines.matcher import Mention, WatchMatcher
from pipelines.mentions import compile_watchlist, mention_fields
from pipelines.watchlist import load_watchlist

WATCHLIST = {
    "names": [
        {"name": "Александр Блошкин", "aliases": ["Блошкин А.В."]},
        {"name": "Ольга Пыжова"},
        {"name": "Андрей Бочаров"},
        {"name": "Сергей Шойгу"},
        {"name": "Валентина Матвиенко"},
        {"name": "Тереза Мэй"},
        {"name": "Иван Орёл"},
        {"name": "Павел Зима"},
        {"name": "Пётр Жуковский"},
        {"name": "Николай Черных"},
        {"name": "Игорь Дурново"},
        {"name": "Михаил Седой"},
        {"name": "Галина Скрытная", "surname_alone": False},
    ],
    "topics": [
        {"name": "Сталинград", "keywords": ["Сталинградская битва"]},
        {"name": "Капремонт школ", "keywords": ["капитальный ремонт школ"]},
        {"name": "Газификация", "any": ["газификация", "газоснабжение"], "none": ["газификация Европы"]},
        {"name": "Дороги села", "all": ["ремонт дорог", "сельское поселение"]},
        {"name": "Бюджет без футбола", "any": ["областной бюджет"], "none": ["футбольный клуб"]},
    ],
}


@pytest.fixture(scope="module")
def matcher():
    return WatchMatcher(load_watchlist(WATCHLIST, "test.yaml"))


def names(matcher, text, title=""):
    return [(m.watch, m.matched) for m in matcher.find(title, text) if m.kind == "name"]


def topics(matcher, text, title=""):
    return [(m.watch, m.matched) for m in matcher.find(title, text) if m.kind == "topic"]


@pytest.mark.parametrize("text, matched", [
    ("Грамоту вручили Александру Блошкину.", "Александру Блошкину"),
    ("Визит Александра Блошкина перенесли.", "Александра Блошкина"),
    ("Встреча с Блошкиным Александром прошла в среду.", "Блошкиным Александром"),
    ("Депутаты говорили о Блошкине весь вечер.", "Блошкине"),
    ("А. Блошкин провёл приём граждан.", "А. Блошкин"),
    ("А.В. Блошкин провёл приём граждан.", "А.В. Блошкин"),
    ("Приём провёл Блошкин А.В. в понедельник.", "Блошкин А.В."),
    ("Обращение направили А. В. Блошкину.", "А. В. Блошкину"),
    ("Александр Владимирович Блошкин открыл сессию.", "Александр Владимирович Блошкин"),
    ("Блошкин отметил рост доходов.", "Блошкин"),
    ("Сессию открыл председатель Блошкин.", "Блошкин"),
    ("АЛЕКСАНДР БЛОШКИН ОТКРЫЛ СЕССИЮ", "АЛЕКСАНДР БЛОШКИН"),
    ("сессию открыл блошкин", "блошкин"),
])
def test_male_name_in_every_form(matcher, text, matched):
    assert names(matcher, text) == [("Александр Блошкин", matched)]


@pytest.mark.parametrize("text, matched", [
    ("Слово предоставили Ольге Пыжовой.", "Ольге Пыжовой"),
    ("Выступление Ольги Пыжовой затянулось.", "Ольги Пыжовой"),
    ("Ответ Пыжовой О.Н. опубликован.", "Пыжовой О.Н."),
    ("С Пыжовой согласились все.", "Пыжовой"),
])
def test_female_name(matcher, text, matched):
    assert names(matcher, text) == [("Ольга Пыжова", matched)]


@pytest.mark.parametrize("text, watch, matched", [
    ("Министр Шойгу провёл совещание.", "Сергей Шойгу", "Шойгу"),
    ("Доклад Сергея Шойгу заслушали.", "Сергей Шойгу", "Сергея Шойгу"),
    ("Делегация встретилась с Матвиенко.", "Валентина Матвиенко", "Матвиенко"),
    ("Валентине Матвиенко вручили орден.", "Валентина Матвиенко", "Валентине Матвиенко"),
    ("Правительство Терезы Мэй ушло в отставку.", "Тереза Мэй", "Терезы Мэй"),
    ("Позиция Мэй не изменилась.", "Тереза Мэй", "Мэй"),
    ("Премию вручили Петру Жуковскому.", "Пётр Жуковский", "Петру Жуковскому"),
    ("С Жуковским поспорили коллеги.", "Пётр Жуковский", "Жуковским"),
    ("Отчёт Николая Черных утвердили.", "Николай Черных", "Николая Черных"),
    ("Слово дали Игорю Дурново.", "Игорь Дурново", "Игорю Дурново"),
    ("Поправку внёс Михаил Седой.", "Михаил Седой", "Михаил Седой"),
    ("Поправку Седого отклонили.", "Михаил Седой", "Седого"),
])
def test_surname_types_and_indeclinables(matcher, text, watch, matched):
    assert names(matcher, text) == [(watch, matched)]


def test_rare_surname_is_not_read_as_a_verb(matcher):
    # pymorphy3's first parse of «Блошкину» is the verb «блошкинуть»: the Surn lexeme is used instead
    assert names(matcher, "Письмо адресовано Блошкину.") == [("Александр Блошкин", "Блошкину")]


def test_yo_and_ye_alike(matcher):
    assert names(matcher, "Петр Жуковский выступил.") == [("Пётр Жуковский", "Петр Жуковский")]
    assert names(matcher, "Депутат Орел внёс поправку.") == [("Иван Орёл", "Орел")]


def test_common_word_surname_only_as_a_name(matcher):
    assert names(matcher, "Орёл расправил крылья над полем.") == []
    assert names(matcher, "Над полем кружил орёл, а зима не кончалась.") == []
    assert names(matcher, "Зима в этом году выдалась снежной.") == []
    assert names(matcher, "Поправку внёс депутат Орёл.") == [("Иван Орёл", "Орёл")]
    assert names(matcher, "Слово дали Зиме, который заговорил о бюджете.") == [("Павел Зима", "Зиме")]
    assert names(matcher, "Павел Зима возглавил комитет.") == [("Павел Зима", "Павел Зима")]
    assert names(matcher, "И. Орёл возглавил комитет.") == [("Иван Орёл", "И. Орёл")]


def test_place_sharing_the_surname_is_not_a_mention(matcher):
    assert names(matcher, "Отдых в Бочаровом Ручье понравился гостям.") == []
    assert names(matcher, "Гости резиденции Бочаров Ручей приехали утром.") == []
    assert names(matcher, "Дорога у Бочарова Ручья закрыта.") == []
    assert names(matcher, "Андрей Бочаров посетил Бочаров Ручей.") == [("Андрей Бочаров", "Андрей Бочаров")]


def test_other_first_name_or_initials_with_the_same_surname(matcher):
    assert names(matcher, "Ольга Блошкина выступила на заседании.") == []
    assert names(matcher, "Выступила Ольга Блошкина, учитель.") == []
    assert names(matcher, "О. Блошкин ответил на вопросы.") == []
    assert names(matcher, "Ответил Блошкин О.Н., депутат.") == []
    assert names(matcher, "Ответил Блошкин А.Н., депутат.") == []  # the alias says А.В.


def test_surname_alone_false(matcher):
    assert names(matcher, "Скрытная сказала, что бюджет принят.") == []
    assert names(matcher, "Галина Скрытная сказала, что бюджет принят.") == [
        ("Галина Скрытная", "Галина Скрытная")]
    assert names(matcher, "Доклад сделала Скрытная Г.П.") == [("Галина Скрытная", "Скрытная Г.П.")]


def test_one_mention_per_entry_with_first_occurrence_and_snippet(matcher):
    text = ("Сессия открылась в десять. Александр Блошкин поздравил депутатов. "
            "Затем Блошкин ответил на вопросы, и Блошкину аплодировали.")
    found = matcher.find("Новости думы", text)
    assert found == [Mention("name", "Александр Блошкин", "Александр Блошкин",
                             "Александр Блошкин поздравил депутатов.")]


def test_title_comes_first_and_order_of_appearance(matcher):
    found = matcher.find("Ольга Пыжова о газификации", "Сергей Шойгу и Ольга Пыжова обсудили газоснабжение.")
    assert [(m.kind, m.watch, m.matched) for m in found] == [
        ("name", "Ольга Пыжова", "Ольга Пыжова"), ("topic", "Газификация", "газификации"),
        ("name", "Сергей Шойгу", "Сергей Шойгу")]
    assert found[0].snippet == "Ольга Пыжова о газификации"


def test_topic_phrase_agrees_in_case_and_number(matcher):
    assert topics(matcher, "Ветераны рассказали о Сталинградской битве.") == [
        ("Сталинград", "Сталинградской битве")]
    assert topics(matcher, "Годовщина Сталинградской битвы.") == [("Сталинград", "Сталинградской битвы")]
    assert topics(matcher, "Смета капитального ремонта школ утверждена.") == [
        ("Капремонт школ", "капитального ремонта школ")]
    assert topics(matcher, "КАПИТАЛЬНЫЕ РЕМОНТЫ ШКОЛ ЗАВЕРШЕНЫ") == [
        ("Капремонт школ", "КАПИТАЛЬНЫЕ РЕМОНТЫ ШКОЛ")]
    assert topics(matcher, "Сталинградская область и битва за урожай.") == []
    assert topics(matcher, "Ремонт школ и капитальный ремонт дорог.") == []


def test_topic_none_masks_only_the_overlapping_occurrence(matcher):
    assert topics(matcher, "Газификация Европы зашла в тупик.") == []
    assert topics(matcher, "О газификации Европы и газификации района.") == [("Газификация", "газификации")]
    assert topics(matcher, "Газоснабжение сёл улучшилось.") == [("Газификация", "Газоснабжение")]


def test_topic_none_that_overlaps_nothing_excludes_the_article(matcher):
    assert topics(matcher, "Областной бюджет принят.") == [("Бюджет без футбола", "Областной бюджет")]
    assert topics(matcher, "Областной бюджет поможет футбольному клубу.") == []


def test_topic_all_needs_every_phrase(matcher):
    assert topics(matcher, "Начался ремонт дорог.") == []
    assert topics(matcher, "Ремонт дорог в сельском поселении начался.") == [("Дороги села", "Ремонт дорог")]


def test_no_match_inside_longer_words_or_across_punctuation(matcher):
    assert names(matcher, "Блошкиновский район и Шойгуев ответили.") == []
    assert topics(matcher, "Прошла регазификация. Газификациями не занимались?") == [("Газификация", "Газификациями")]
    assert topics(matcher, "Капитальный ремонт. Школ стало больше.") == []


def test_empty_watchlist_and_empty_text():
    empty = WatchMatcher(load_watchlist({}, "w.yaml"))
    assert empty.find("Александр Блошкин", "Блошкин") == []
    assert WatchMatcher(load_watchlist(WATCHLIST, "w.yaml")).find("", "") == []


def test_mentions_stage_fills_the_fields():
    matcher = compile_watchlist(WATCHLIST, "w.yaml")
    item = mention_fields(matcher, "Сессия думы", "Александр Блошкин и Ольга Пыжова обсудили газификацию.\n"
                                                  "Пыжова предложила ускорить газоснабжение.")
    assert item["names"] == ["Александр Блошкин", "Ольга Пыжова"]
    assert item["topics"] == ["Газификация"]
    assert item["mentions"][2] == {"kind": "topic", "watch": "Газификация", "matched": "газификацию",
                                   "snippet": "Александр Блошкин и Ольга Пыжова обсудили газификацию."}


def test_mentions_stage_without_watchlist():
    item = mention_fields(compile_watchlist(None), "Т", "Александр Блошкин")
    assert item["names"] == [] and item["topics"] == [] and item["mentions"] == []


def test_normalize_text_fast_path_equals_the_full_translation():
    """Texts without rare spaces or hyphens skip translate(); the result must be the same either way."""
    import random

    from pipelines.matcher import _SPACE_TRANSLATION, normalize_text

    def translated(text: str) -> str:
        low = text.lower()
        if len(low) != len(text):
            low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        out = low.translate(_SPACE_TRANSLATION)
        if len(out) != len(text):
            out = low.translate({**_SPACE_TRANSLATION, ord("\u00ad"): "\u00ad"})
        return out

    rng = random.Random(3)
    alphabet = "абвёЁеЕ İ\t\u00a0\u2011\u2010\u00ad-x\u3000\n«»"
    samples = ["Депутат Блошкин: «Всё решено»", "Ёлки\u00a0и\u00adпалки", "İstanbul", ""]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(5000)]
    for text in samples:
        assert normalize_text(text) == translated(text)
        assert len(normalize_text(text)) == len(text)
