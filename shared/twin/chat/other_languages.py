"""Common questions asked in other languages, each read as the English question it means.

The offline model is English-only, so the English words carry the search and the topic (the answer
still quotes the notes as they are written). A visitor to a person's site often writes in that
person's language: "¿A qué te dedicas?", "Hvor kommer du fra?", "어디 사세요?". Patterns are matched
against the folded question (twin.text.folding: no case, no accents), and are folded the same way
when compiled, so they are written here as the language writes them. Scripts without spaces
between words (Japanese, Chinese, Korean) are matched without word boundaries.
"""

from __future__ import annotations

import re

from twin.text.folding import fold

__all__ = ["in_english"]

# (the English question, patterns in languages written with spaces, patterns in those without)
_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("What do you do for a living?",
     # es pt fr de
     r"a que te dedicas|en que trabajas|de que trabajas|o que (?:voce )?faz|onde (?:voce )?trabalha|"
     r"que fais[- ]tu|que faites[- ]vous|quel est (?:ton|votre) (?:travail|metier)|ou travailles[- ]tu|"
     r"was machst du beruflich|was arbeitest du|wo arbeitest du|was (?:ist dein|sind sie von) beruf|"
     # it nl no da sv pl ru tr
     r"che lavoro fai|di cosa ti occupi|dove lavori|cosa fai nella vita|"
     r"wat doe je (?:voor werk|in het dagelijks leven)|"
     r"wat voor werk doe je|waar werk je|wat is je beroep|hva jobber du med|hva driver du med|hvor jobber du|"
     r"hva er jobben din|hvad arbejder du med|hvor arbejder du|vad jobbar du med|var jobbar du|vad arbetar du med|"
     r"czym sie zajmujesz|gdzie pracujesz|co robisz zawodowo|где (?:ты|вы)(?: \w+)? работаешь|"
     r"где (?:ты|вы)(?: \w+)? работаете|кем (?:ты|вы)(?: \w+)? работа|чем (?:ты|вы)(?: \w+)? занимаешься|"
     r"чем (?:ты|вы)(?: \w+)? занимаетесь|ne is yapiyorsun|ne is yaparsin|nerede calisiyorsun|meslegin ne|"
     # vi cy ga mi ca
     r"lam cong viec gi|lam nghe gi|lam viec o dau|cong viec (?:hien tai )?cua (?:ban|chi|anh|em)|"
     r"beth (?:wyt ti'n|ydych chi'n|dych chi'n) (?:ei )?wneud|ble (?:wyt ti'n|ydych chi'n|dych chi'n) gweithio|"
     r"beth yw dy swydd|cad a dheanann tu|cen post|cen obair|ca bhfuil tu ag obair|he aha (?:tau|to|tou) mahi|"
     r"kei hea koe e mahi|a que et dediques|on treballes|de que treballes",
     r"무슨 일(?:을)? 하|직업이 뭐|어디서 일하|어디에서 일하|お仕事は|仕事は何|何の仕事|どこで働い|職業は|做什么工作|"
     r"工作是什么|在哪里工作|是做什么的"),
    ("Where are you from originally?",
     r"de donde eres|de onde (?:voce )?e|d'ou viens[- ]tu|d'ou venez[- ]vous|"
     r"(?:as[- ]tu|tu as|avez[- ]vous|vous avez) grandi|woher kommst du|wo bist du aufgewachsen|"
     r"di dove sei|dove sei cresciut[oa]|da dove vieni|waar kom je (?:oorspronkelijk )?vandaan|waar ben je opgegroeid|"
     r"hvor kommer du fra|hvor er du fra|hvor vokste du opp|hvor voksede du op|var kommer du ifran|var vaxte du upp|"
     r"skad jestes|skad pochodzisz|gdzie dorastał|откуда (?:ты|вы)|где (?:ты|вы) вырос|nerelisin|nerede buyudun|"
     r"que (?:ban |chi |anh |em )?o dau|den tu dau|lon len o dau|o ble (?:wyt ti'n|ydych chi'n|dych chi'n) dod|"
     r"o ble (?:wyt ti|ydych chi|dych chi) yn wreiddiol|ca as (?:duit|daoibh)|cad as (?:duit|daoibh|a bhfuil tu)|"
     r"no hea koe|d'on ets|on vas creixer",
     r"어디 출신|고향이 어디|어디서 자랐|出身は|どこの出身|どこで育|哪里人|来自哪里|在哪里长大"),
    ("Which company do you work for now?",
     r"en que empresa trabaja|para quien trabaja|donde trabaja|em que empresa (?:voce )?trabalha|"
     r"pour quelle entreprise|per quale azienda|voor welk bedrijf|hvilket firma|w jakiej firmie|в какой компании|"
     r"hangi sirkette|o cong ty nao|i ba chwmni",
     r"어느 회사|どの会社|哪家公司"),
    ("Where do you live?",
     r"donde vives|(?:en )?que ciudad vives|onde (?:voce )?mora|em que cidade|ou habites[- ]tu|ou habitez[- ]vous|"
     r"dans quelle ville|wo wohnst du|in welcher stadt|dove vivi|dove abiti|in che citta vivi|waar woon je|"
     r"in welke stad woon je|hvor bor du|var bor du|gdzie mieszkasz|где (?:ты|вы)(?: \w+)? живешь|"
     r"где (?:ты|вы)(?: \w+)? живете|nerede yasiyorsun|nerede oturuyorsun|(?:dang )?song o dau|"
     r"ble (?:wyt ti'n|ydych chi'n|dych chi'n) byw|ca bhfuil (?:tu i do chonai|conai ort)|kei hea koe e noho|on vius",
     r"어디 사세요|어디에 살|어디 살아|どこに住んで|お住まいは|住在哪"),
    ("Where did you study?",
     r"donde estudiaste|que estudiaste|onde (?:voce )?estudou|ou as[- ]tu etudie|wo hast du studiert|"
     r"was hast du studiert|donde aprendiste|onde (?:voce )?aprendeu|ou as[- ]tu appris|wo hast du gelernt|"
     r"dove hai studiato|cosa hai studiato|waar heb je gestudeerd|wat heb je gestudeerd|hvor studerte du|"
     r"hva studerte du|hvor studerede du|var studerade du|vad studerade du|gdzie studiował|co studiował|"
     r"где (?:ты|вы) учил|что (?:ты|вы) изучал|nerede okudun|hoc o dau|hoc nganh gi|ble (?:astudiaist ti|"
     r"wnest ti astudio)|cen ollscoil|on vas estudiar",
     r"어디서 공부|전공이|どこで勉強|専攻は|大学はどこ|在哪里(?:读书|上学|上大学)|学什么专业"),
    ("Where were you born?",
     r"donde naciste|onde (?:voce )?nasceu|ou es[- ]tu nee?|ou etes[- ]vous nee?|wo bist du geboren|dove sei nat[oa]|"
     r"waar ben je geboren|hvor er du fodt|hvor ble du fodt|var ar du fodd|gdzie sie urodził|где (?:ты|вы) родил|"
     r"nerede dogdun|sinh ra o dau|ble gest ti dy eni|cen ait ar rugadh thu",
     r"어디서 태어|どこで生まれ|在哪里出生"),
    ("What do your parents do for a living?",
     r"(?:a que se dedica|en que trabaja) tu (?:padre|madre)|o que (?:o teu |a tua |o seu |a sua )?(?:pai|mae) "
     r"faz|que fait ton pere|que fait ta mere|was macht deine? (?:vater|mutter)|"
     r"(?:che lavoro fa|cosa fa) tu[oa] (?:padre|madre)|wat doet je (?:vader|moeder)|hva jobber (?:faren|moren) din",
     r"부모님은? 무슨 일|ご両親の仕事|父母做什么"),
    ("Are you married?",
     r"estas casad[oa]|tienes (?:pareja|novi[oa]|espos[oa])|(?:voce )?e casad[oa]|es[- ]tu marie|"
     r"etes[- ]vous marie|bist du verheiratet|hast du (?:einen partner|eine partnerin)|sei sposat[oa]|hai un[ao]? "
     r"(?:partner|fidanzat[oa]|ragazz[oa])|ben je getrouwd|heb je een (?:partner|vriend|vriendin)|er du gift|"
     r"har du (?:en )?(?:kjæreste|kæreste|partner|pojkvan|flickvan|sambo)|ar du gift|jestes (?:zonaty|mezatka)|"
     r"masz (?:zone|meza|partnera|partnerke|dziewczyne|chlopaka)|(?:ты|вы) (?:женат|замужем)|evli misin|"
     r"co gia dinh chua|da ket hon|lap gia dinh|(?:wyt ti'n|ydych chi'n) briod|an bhfuil tu posta|kua marena|"
     r"estas casat|tens parella",
     r"결혼(?:했|하셨|은)|結婚して|结婚了吗|有对象"),
    ("Do you have any children or siblings?",
     r"tienes (?:hij[oa]s|herman[oa]s)|tem (?:filhos|irmaos)|as[- ]tu des (?:enfants|freres)|"
     r"hast du (?:kinder|geschwister)|hai (?:figli|fratelli|sorelle)|heb je (?:kinderen|broers|zussen)|"
     r"har du (?:barn|sosken|søsken|søskende|syskon|brodre|brødre|søstre|systrar)|masz (?:dzieci|rodzenstwo)|"
     r"у (?:тебя|вас) есть (?:дети|братья|сестры)|(?:cocugun|cocuklarin|kardesin) var|co con chua|co anh chi em|"
     r"oes (?:gen ti|gennych chi) (?:blant|frodyr|chwiorydd)|an bhfuil (?:clann|paisti|deartha|deirfiur)|"
     r"he tamariki|tens (?:fills|germans)",
     r"자녀가|아이가 있|형제|자매|남매|子供は|子どもは|兄弟|姉妹|孩子吗|兄弟姐妹"),
    ("Do you have any pets?",
     r"tienes mascotas?|tem (?:animais|animal de estimacao)|as[- ]tu des animaux|hast du haustiere|"
     r"(?:hai )?animali domestici|huisdier|kjæledyr|kæledyr|husdyr|husdjur|zwierz(?:e|ęta|aki) domow|"
     r"домашн(?:ие|ее|их) животн|питом(?:ец|цы)|evcil hayvan|thu cung|nuoi con gi|anifail(?:iaid)? anwes|"
     r"peata|mokai|tens mascot",
     r"반려동물|애완동물|ペット|宠物"),
    ("What are your hobbies? What do you do for fun?",
     r"tiempo libre|pasatiempos?|que haces para divertirte|hobbies?|tempo livre|temps libre|loisirs|"
     r"freizeit|hobbys|tempo libero|passatemp[oi]|vrije tijd|fritid(?:en)?|wolny(?:m)? czas(?:ie)?|"
     r"свободное время|хобби|увлечени|bos zaman|so thich|thoi gian ranh|amser hamdden|diddordebau|"
     r"caitheamh aimsire|am saor|temps lliure|aficions",
     r"취미|여가|趣味|休みの日|爱好|业余时间|空闲时间"),
    ("What's your favourite food?",
     r"comida favorita|plato favorito|prato favorito|plat prefere|lieblingsessen|lieblingsgericht|"
     r"(?:piatto|cibo) preferito|lievelingseten|favoriete eten|lievelingsgerecht|favorittmat|yndlingsmat|livrett|"
     r"livret|yndlingsmad|favoritmat|livratt|ulubione (?:jedzenie|danie)|любим(?:ое|ая) (?:блюдо|еда)|"
     r"en sevdigin yemek|mon an yeu thich|thich an gi|hoff fwyd|bia is fearr|kai tino pai|(?:menjar|plat) preferit",
     r"좋아하는 음식|好きな食べ物|喜欢吃什么|最喜欢的菜"),
    ("Which languages do you speak?",
     r"que idiomas|cuantos idiomas|quais (?:idiomas|linguas)|quelles langues|welche sprachen|(?:che|quante) lingue|"
     r"welke talen|hvilke (?:sprak|språk)|vilka sprak|jakie jezyki|jakimi jezykami|какие языки|на каких языках|"
     r"hangi dilleri|noi (?:duoc )?tieng gi|may (?:thu|ngon ngu)|pa ieithoedd|cen teangacha|quins idiomes",
     r"몇 개 국어|어떤 언어|何語|何か国語|什么语言|几种语言"),
    ("Are you looking for a new job?",
     r"buscas (?:trabajo|empleo)|estas buscando|procurando (?:emprego|trabalho)|cherches[- ]tu|"
     r"cerchi lavoro|zoek je (?:een )?(?:baan|werk)|ser du etter (?:ny )?jobb|söker du jobb|szukasz pracy|"
     r"ищешь работу|is ariyor musun|dang tim viec",
     r"구직|이직|転職|找工作"),
    ("Do you do any volunteer work?",
     r"voluntari[oa]|voluntariado|benevolat|benevole|ehrenamt\w*|volontariato|vrijwilliger\w*|frivillig\w*|"
     r"wolontariat|волонт[её]р|gonullu|tinh nguyen|gwirfoddol\w*|obair dheonach|voluntariat",
     r"봉사|ボランティア|志愿"),
)

_ELSEWHERE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{fold(spaced)})\b|{fold(unspaced)}"), english) for english, spaced, unspaced in _QUESTIONS)


def in_english(question: str) -> str:
    """``question``, or the English question it means when it is one of the common ones asked in
    another language."""
    folded = fold(question)
    return next((english for asked, english in _ELSEWHERE if asked.search(folded)), question)
