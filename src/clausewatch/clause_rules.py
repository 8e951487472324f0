"""The clause rules, as data: vocabulary, patterns and counter-patterns per label, each with why.

Read with ../shared/gold/GUIDELINES.md beside you: the numbers in brackets (§9, §13 …) are the
guideline decisions a rule encodes.  The engine that applies them is ``clausewatch.clauses``.

How the engine reads this file
------------------------------
* Patterns are Python regular expressions (``re.IGNORECASE`` unless a rule says ``case=True``),
  matched one *sentence* at a time (sentences end at ``. ! ?``, ``<br>``, table cells and list
  markers inside a passage).  ``{NAME}`` inside a pattern is replaced by the vocabulary entry
  ``NAME`` below before compiling.
* Before matching, link targets and bare URLs are blanked out (same length, so offsets stay exact):
  "AI" inside a URL token is never an AI mention (§18).
* A rule fires when its pattern matches, none of its ``unless`` patterns matches the same
  sentence, and every passage flag in ``needs`` is set.  The match span is the evidence.
* ``TRAINING`` rules are *mentions* of (using data for) training/improving AI.  Their polarity is
  decided by the engine, not by the rule: negated ("we do not use … to train") → NO_TRAINING_PROMISE;
  conditional opt-out ("if you do not want us to use … to train") → TRAINS_ON_USER_DATA plus an
  opt-out cue; a third party doing the training → THIRD_PARTY_AI (plus TRAINS when the third party
  is an affiliate/parent company, §14); otherwise → TRAINS_ON_USER_DATA.
* Passage flags: ``ai`` = some AI/ML term outside URLs; ``training`` = some TRAINING mention (any
  polarity) in the passage or in its lead-in; ``improve_is_ai`` = the passage says that
  "improving the services" includes training models (Gemini: "(including training generative AI
  models)").

Tuning: rules were written from the guideline text and checked against
../shared/gold/clauses-dev.jsonl; re-run ``python benchmarks/clauses_eval.py`` after any edit
(its leave-one-service-out table is the number that counts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One pattern for one label, with the counter-patterns that veto it and why it exists."""

    name: str
    label: str  # the label it gives, or "TRAINING" for a training mention (polarity decided later)
    pattern: str
    why: str
    unless: tuple[str, ...] = ()  # counter-patterns: if one matches the same sentence, no fire
    needs: tuple[str, ...] = ()  # passage flags that must be set ("ai", "training", "improve_is_ai")
    case: bool = False  # True = case-sensitive
    weight: float = 1.0  # how strongly its sentence is preferred as the quote (weak, generic rules < 1)


# ---------------------------------------------------------------------------------------------
# Vocabulary.  Kept small and meaning-based; each entry says what it stands for.
# ---------------------------------------------------------------------------------------------

V: dict[str, str] = {}

# Words of a window: up to N words of anything inside one sentence.
V["W3"] = r"(?:[\s,;:()\-–—/\[\]*“”\"']+[\w’'.\-/&]+){0,3}"
V["W5"] = r"(?:[\s,;:()\-–—/\[\]*“”\"']+[\w’'.\-/&]+){0,5}"
V["W8"] = r"(?:[\s,;:()\-–—/\[\]*“”\"']+[\w’'.\-/&]+){0,8}"
V["W12"] = r"(?:[\s,;:()\-–—/\[\]*“”\"']+[\w’'.\-/&]+){0,12}"
V["W20"] = r"(?:[\s,;:()\-–—/\[\]*“”\"']+[\w’'.\-/&]+){0,20}"

# AI as a word: "AI", "AIs", "GenAI", "AI-powered", "AI/ML".  Case-sensitive on purpose, so
# "MANDATORY", "CLAIMS", "Aid" are not AI (§18).  The engine compiles {AI} case-sensitively.
V["AI"] = r"(?-i:\b(?:Gen)?AIs?\b)"
V["AI_TERM"] = (
    r"(?:{AI}|artificial[\s\-]+intelligence|machine[\s\-]+learn(?:ing|ed)|(?-i:\bML\b)|(?-i:\bLLMs?\b)"
    r"|large[\s\-]+language[\s\-]+models?|language[\s\-]+models?|generative|neural[\s\-]+networks?"
    r"|deep[\s\-]+learning|(?-i:\bGPTs?\b)|foundation[\s\-]+models?|AI[\s\-]+models?)"
)
# A *model* in the machine-learning sense.  "models" alone is ambiguous (pricing models, model
# clauses, hardware model, role model, model withdrawal form, §18), so a bare "model(s)" counts only
# with an owner/determiner that makes it the service's ML model ("our models", "the models that
# power ChatGPT", "its AI models") and never when a business/consumer-law word sits in front.
V["MODEL"] = (
    r"\[?(?:(?:{AI_TERM}|Gemini|Bard|Llama|content[\s\-]generating|moderation|classification|predictive"
    r"|prediction|ranking|recommendation|(?:speech|voice|image|face|object)[\s\-]+recognition|speech|vision|translation|transcription)[\s\-]+(?:AI[\s\-]+)?(?:models?|systems?|technolog(?:y|ies))"
    r"|(?:our|its|their|these|those|the|such|Google[’']s|Microsoft[’']s|Meta[’']s)[\s\-]+(?:own[\s\-]+)?"
    r"(?:AI[\s\-]+|machine[\s\-]learning[\s\-]+|generative[\s\-]+(?:AI[\s\-]+)?|language[\s\-]+)?models?"
    r"(?![\s\-]+(?:clauses?|instructions|withdrawal|forms?|numbers?|years?|contracts?))"
    r"|(?-i:\bLLMs?\b)|large[\s\-]+language[\s\-]+models?|language[\s\-]+models?|foundation[\s\-]+models?"
    r"|(?:{AI}|artificial[\s\-]+intelligence)(?:[\s\-]+(?:models?|systems?|technolog(?:y|ies)|features|tools))?"
    r"|AI[\s\-]+at[\s\-]+Meta|Google[\s\-]+AI|machine[\s\-]+learn(?:ing|ed)(?:[\s\-]+(?:models?|systems?|technolog(?:y|ies)|algorithms?))?"
    r"|(?:our|its|the)[\s\-]+algorithms|systems[\s\-]+and[\s\-]+models|model[\s\-]+performance"
    r"|neural[\s\-]+networks?|(?:AI|ML)/(?:AI|ML)[\s\-]+models?|{AI_PRODUCT})"
)
# Names of generative-AI products: improving one of them is improving an AI model.
V["AI_PRODUCT"] = r"(?-i:\b(?:ChatGPT|Gemini|Bard|Copilot|Claude|Grok|Llama|Meta\s+AI|Slack\s+AI|Firefly)\b)"

# Verbs of teaching a model.  "training" alone is not here: staff training, LinkedIn "get training".
V["TRAIN"] = r"(?:(?:pre|re)?-?train(?:s|ed|ing)?|fine[\s\-]?tun(?:e|es|ed|ing)|teach(?:es|ing)?|taught)"
# Verbs of building or improving something: with an AI object they mean development of AI (§8, §9).
V["DEVELOP"] = (
    r"(?:develop(?:s|ed|ing)?|improv(?:e|es|ed|ing)|build(?:s|ing)?|buil[t]|creat(?:e|es|ed|ing)"
    r"|enhanc(?:e|es|ed|ing)|refin(?:e|es|ed|ing)|evaluat(?:e|es|ed|ing)|advanc(?:e|es|ed|ing)"
    r"|maintain(?:s|ed|ing)?|support(?:s|ed|ing)?)"
)
# Whose data: users' content, prompts, interactions, profile/activity data (§8).
V["DATA"] = (
    r"(?:(?:your|users?[’']?|members?[’']?|customers?[’']?|people[’']s|the|any|their|such|this|these|public|publicly[\s\-]available)[\s\-]+"
    r"(?:[\w\-]+[\s\-]+){0,3}(?:data|content|information|info|conversations?|chats?|prompts?|inputs?|outputs?"
    r"|messages?|posts?|interactions?|activity|recordings?|files|feedback)|Content|Customer[\s\-]Data"
    r"|(?:data|information|content)[\s\-]+(?:we|you|they)[\s\-]+(?:collect|provide|share|have)\w*)"
)
# Negation that attaches to using/training ("we do not use", "won't be used", "never trained").
# A deferral is a negation for now: "we're delaying our plans to use your information to develop AI",
# "we have paused training on EU members' data" (§11: such notices are promises, not TRAINS).
V["NEG"] = (
    r"(?:\b(?:do|does|did|will|would|shall|should|can|may)(?:\s+not|n[’']t)\b|\bwon[’']t\b|\bcannot\b"
    r"|\b(?:is|are|was|were|be|been)(?:\s+not|n[’']t)\b|\bnot\b|\bnever\b|\bno[\s\-]+longer\b|\bnor\b"
    r"|\b(?:delay(?:s|ed|ing)?|paus(?:e|es|ed|ing)|postpon(?:e|es|ed|ing))\b)"
)
# Third parties who might receive data or train on it (§14).  Affiliates are kept apart: an
# affiliate training its models is TRAINS *and* THIRD_PARTY_AI.
V["THIRD"] = (
    r"(?:third[\s\-]+part(?:y|ies)|(?:our|its|other|business|trusted|select(?:ed)?)[\s\-]+partners|recipients"
    r"|other[\s\-]+companies|(?:AI|model|LLM)[\s\-]+(?:model[\s\-]+)?(?:providers|partners|vendors|companies)|parent[\s\-]+company"
    r"|affiliates?|Microsoft)"
)
V["AFFILIATE"] = r"(?:parent[\s\-]+company|affiliates?|Microsoft|subsidiar(?:y|ies)|group[\s\-]+compan(?:y|ies))"


# ---------------------------------------------------------------------------------------------
# TRAINING mentions (polarity decided by the engine).
# ---------------------------------------------------------------------------------------------

TRAINING: tuple[Rule, ...] = (
    Rule(
        "train-model",
        "TRAINING",
        r"{TRAIN}{W8}[\s\-]+{MODEL}|{TRAIN}(?:[\s\-]+[\w’'\-]+)?[\s\-]+(?:[\w\-]+[\s\-]+){0,2}(?:global[\s\-]+|generative[\s\-]+)?models?\b(?![\s\-]+(?:clauses?|contracts?|forms?))",
        "A teaching verb with an ML object: 'train our models', 'train AI and machine learning models', "
        "'training of our machine learning … models', 'fine-tune … Gemini models', 'train Slack global models', "
        "'train, develop and improve our technology, such as our machine learning models' (§8).  'train' is a "
        "strong verb: a model it teaches is an ML model (staff/course training is vetoed below).",
        unless=(
            # staff/education training: 'train our employees', 'training courses', LinkedIn Learning.
            r"\b(?:employees|staff|personnel|workforce|courses?|LinkedIn[\s\-]+Learning)\b",
            r"\b(?:role|business|pricing|subscription|revenue|hardware|operating|delivery)[\s\-]+models?\b",
        ),
    ),
    Rule(
        "model-trained",
        "TRAINING",
        r"{MODEL}{W3}[\s\-]+(?:is|are|was|were|be|been|being|get|gets)?[\s\-]*(?:{TRAIN}|developed|improved)\b",
        "Passive voice: 'AI models … are trained', 'models were developed using …'.  Only with a word for "
        "users or their data in the sentence: 'LLMs are models trained on massive amounts of text' explains "
        "AI, it says nothing about whose data (§8).",
        unless=(r"\bcompany\b", r"\bresearch\b",
                r"\b(?:trained|developed)[\s\-]+(?:only[\s\-]+|exclusively[\s\-]+)?(?:on|with|using)[\s\-]+(?:licensed|public[\s\-]+domain|synthetic|openly[\s\-]+licensed)\b",
                r"^(?!.*\b(?:your|you|users?|members?|customers?|personal|people|posts|conversations|chats|prompts|interactions|activity)\b)"),
    ),
    Rule(
        "train-on-data",
        "TRAINING",
        r"{TRAIN}{W3}[\s\-]+(?:on|with|using)[\s\-]+{DATA}",
        "'train on any inputs or outputs', 'further training on the conversations', 'train generative AI on "
        "customer content' (§8): the data is named directly after the verb (with a determiner, so 'train "
        "on data protection' is out).",
        unless=(r"\b(?:employees|staff|personnel|courses?|team[\s\-]+members|managers)\b",),
    ),
    Rule(
        "ai-training-noun",
        "TRAINING",
        r"(?:{AI_TERM}|model)[\s\-]+(?:(?:research|product)[\s\-]+(?:and|or)[\s\-]+(?:product[\s\-]+)?)?(?:training|improvement|development)(?:[\s\-]+purposes)?",
        "Noun phrases of training: 'AI training purposes', 'model training', 'data-for-AI-improvement', "
        "'(datasets used for) machine learning research and product development' - AI R&D as a use of data.",
        unless=(r"\bresearch\b(?![\s\-]+and)",),
    ),
    Rule(
        "training-data-noun",
        "TRAINING",
        r"\btraining[\s\-]+(?:data(?:sets?)?|information|purposes)\b|\b(?:used|use)[\s\-]+for[\s\-]+training\b"
        r"|\bsources?[\s\-]+(?:are|is)[\s\-]+used[\s\-]+for[\s\-]+training\b|\btraining[\s\-]+is[\s\-]+enabled\b",
        "Training named as a use of data: 'training information', 'used for training', 'turn off training' "
        "(an opt-out that presupposes training, §10). Needs an AI word in the passage so staff training is out.",
        needs=("ai",),
        unless=(r"\b(?:employees|staff|personnel|courses?|safety[\s\-]+training)\b",),
    ),
    Rule(
        "opt-out-of-training",
        "TRAINING",
        r"\b(?:opt(?:ing|s|ed)?[\s\-]+out[\s\-]+of|(?:turn|switch)(?:ing|s|ed)?[\s\-]+off|disabl(?:e|es|ed|ing)|pause|stop)[\s\-]+(?:model[\s\-]+|AI[\s\-]+)?training\b",
        "'opt out of training', 'turn off training': an opt-out that presupposes training by default (§10).",
        unless=(r"\b(?:employees|staff|personnel|courses?|sessions?)\b",),
    ),
    Rule(
        "develop-ai",
        "TRAINING",
        r"{DEVELOP}(?:[\s,]+(?:and|or|train|fine-tune|evaluate|test|provide|support|maintain|create|improve|develop)\w*){0,5}"
        r"[\s,*_]+(?:(?:and|or|our|its|the|new|their|better|(?-i:[A-Z][\w\-]*)[’']s)[\s\-]+){0,2}(?:(?:performance|accuracy|quality|safety)[\s\-]+of[\s\-]+(?:our[\s\-]+|the[\s\-]+|its[\s\-]+)?)?{MODEL}"
        # list-final object: 'develop Google products, services, and machine-learning technologies'
        r"|{DEVELOP}(?:[\s,]+(?!such\b|like\b|including\b|as\b|e\.g)[\w\-]+){1,5}?,?[\s\-]+(?:and|or)[\s\-]+{MODEL}"
        # noun form: 'for future development and improvement of generative AI models'
        r"|\b(?:development|improvement|training|advancement)(?:[\s\-]+(?:and|or)[\s\-]+(?:development|improvement|training))?[\s\-]+of[\s\-]+(?:our[\s\-]+|the[\s\-]+|its[\s\-]+)?{MODEL}"
        # 'improve our AI features using your prompts'
        r"|{DEVELOP}[\s\-]+(?:our[\s\-]+)?(?:{AI}|generative[\s\-]+AI)[\s\-]+(?:features|tools|products|services)[\s\-]+(?:using|with|based[\s\-]+on)[\s\-]+{DATA}",
        "Developing or improving AI itself: 'develop and improve AI at Meta', 'improve Google AI', 'develop "
        "the models that power our Services', 'create systems and models' (§8, Meta §13).  The object must "
        "follow the verb directly (no 'such as'), so 'we use and develop advanced technologies such as AI' "
        "stays AUTOMATED_DECISIONS, not training (§9).",
        unless=(
            r"\b(?:is|are)[\s\-]+an?[\s\-]+(?:[\w\-]+[\s\-]+){0,4}(?:company|organi[sz]ation|lab|laboratory)\b",
            # 'shared with … companies that develop artificial intelligence' names the recipients, whose own
            # training (if any) is a third party's (§14), not the service developing AI from users' data
            r"\b(?:compan(?:y|ies)|organi[sz]ations|firms|businesses|labs|developers|providers|vendors)[\s\-]+(?:that|which|who)[\s\-]+(?:develop|build|create|train|make)\w*[\s\-]+(?:{AI_TERM}|models)",
            # ... unless the same sentence also improves the service's own AI ("Improve our AI technologies
            # and support AI research", a purpose of *your* information, Meta 2023).
            r"\bresearch[\s\-]+(?:in|on)\b|^(?!.*\bimprov\w*[\s\-]+our[\s\-]+(?:AI|artificial)).*\bsupport[\s\-]+(?:AI[\s\-]+)?research\b",
            # a product *using* AI for spam/abuse ('improve our ability to detect') is not training.
            r"\bimprove[\s\-]+our[\s\-]+ability\b",
        ),
    ),
    Rule(
        "help-train-products",
        "TRAINING",
        r"\bhelps?[\s\-]+(?:us[\s\-]+)?train[\s\-]+(?:our[\s\-]+|the[\s\-]+)?(?:tools|products|systems|technolog(?:y|ies)|features|algorithms|classifiers)\b",
        "Content that 'can help train tools that let people create content' or 'help train our products to "
        "recognise objects' (Meta 2023): a product taught by examples is a machine-learning system, even "
        "without the word AI (§8).  The learner must be a product or system, so staff training stays out.",
        unless=(r"\b(?:employees|staff|personnel|workforce|courses?|team[\s\-]+members)\b",),
    ),
    Rule(
        "help-models-improve",
        "TRAINING",
        r"\bhelps?[\s\-]+(?:{MODEL})[\s\-]+(?:become|get|learn|improve|perform)\w*|\b(?:improves?|improved)[\s\-]+by[\s\-]+(?:further[\s\-]+)?training\b",
        "User content that 'helps our models become more accurate'; 'ChatGPT … improves by further training "
        "on the conversations' (§8).",
    ),
    Rule(
        "ml-content-analysis",
        "TRAINING",
        r"analy[sz]\w*[\s\-]+(?:[\w’']+[\s\-]+){0,2}(?:content|data|information|messages|files|Customer[\s\-]+Data){W8}[\s\-]+"
        r"(?:machine[\s\-]+learning|(?-i:\bML\b)|{AI}|artificial[\s\-]+intelligence){W8}[\s\-]+(?:to|order[\s\-]+to)[\s\-]+(?:improv|develop|train)\w+"
        # the analysis *is* the training: 'analyze content to train our algorithms'
        r"|analy[sz]\w*[\s\-]+(?:[\w’']+[\s\-]+){0,2}(?:content|data|information|messages|files|Customer[\s\-]+Data){W5}[\s\-]+(?:to|in[\s\-]+order[\s\-]+to)[\s\-]+(?:train|fine-tune|improve|develop)\w*[\s\-]+(?:our[\s\-]+|its[\s\-]+|the[\s\-]+)?(?:{AI_TERM}[\s\-]+)?(?:algorithms|models|classifiers)\b"
        # purpose first: 'To develop AI/ML models, our systems analyze Customer Data'
        r"|{DEVELOP}[\s\-]+(?:our[\s\-]+)?{MODEL}[\s,]+(?:[\w’']+[\s\-]+){0,3}analy[sz]\w*[\s\-]+(?:[\w’']+[\s\-]+){0,2}(?:content|data|information|messages|files|Customer[\s\-]+Data)",
        "Machine-learning analysis of users' content *in order to improve* the services or to train/develop "
        "models = training (§9, Adobe 2020; 'analyze content to train our algorithms').  ML merely used in "
        "processing, or to detect spam, stays AUTOMATED_DECISIONS.",
    ),
    Rule(
        "improve-services-includes-ai",
        "TRAINING",
        r"\b(?:used|use|uses)\b[^.;]{0,100}?\bto[\s\-]+(?:provide,?[\s\-]+)?(?:improve|develop)\w*(?:[\s,]+(?:and|or|develop|improve|provide)\w*){0,3}"
        r"[\s\-]+(?:our|its|Google|the)[\s\-]+(?:services|products|Services|Products)\b",
        "'this data is used to improve Google services' when the same passage says that improving the "
        "services includes training models (Gemini: 'These include Gemini models…') (§8).",
        needs=("improve_is_ai",),
    ),
    Rule(
        "improve-services-including-training",
        "TRAINING",
        r"\b(?:improve|develop)\w*[^.;]{0,60}?\((?:including|such[\s\-]+as|e\.g\.)[\s\-]+training[^)]*\)",
        "'improve and develop our services (including training generative AI models)'.",
    ),
)

# ---------------------------------------------------------------------------------------------
# Direct NO_TRAINING_PROMISE phrasings that are not a negated training mention.
# ---------------------------------------------------------------------------------------------

PROMISE: tuple[Rule, ...] = (
    Rule(
        "delay-ai-use",
        "NO_TRAINING_PROMISE",
        r"\b(?:delay\w*|paus\w*|postpon\w*)[\s\-]+(?:our[\s\-]+)?(?:change|plans?|decision)[\s\-]+to[\s\-]+(?:the[\s\-]+)?use{W12}[\s\-]+(?:to|for)[\s\-]+{DEVELOP}{W5}[\s\-]+{MODEL}",
        "Meta 2024–25: 'we're (still) delaying our change to the use of your information to develop and "
        "improve AI at Meta' = not training for now (§11), not TRAINS.",
    ),
    Rule(
        "only-with-consent",
        "NO_TRAINING_PROMISE",
        r"\bonly[\s\-]+(?:with|after|if|when)[\s\-]+(?:you[\s\-]+)?(?:your[\s\-]+)?(?:explicit(?:ly)?[\s\-]+|express(?:ly)?[\s\-]+|prior[\s\-]+)?"
        r"(?:consent|opt[\s\-]?in|permission|agree)\w*",
        "'We will only use your content to train models with your explicit consent' = a promise (opt-in).",
        needs=("training",),
    ),
    Rule(
        "not-used-for-this-purpose",
        "NO_TRAINING_PROMISE",
        r"\b(?:is|are|will[\s\-]+be|was|were)[\s\-]+(?:never|not)[\s\-]+(?:be[\s\-]+)?used[\s\-]+(?:for[\s\-]+(?:this|that|these|those|such)[\s\-]+(?:purposes?|training|use)|in[\s\-]+this[\s\-]+way)\b"
        r"|\b(?:do|does|will|would)[\s\-]+(?:not|never)[\s\-]+use[\s\-]+(?:it|them|this[\s\-]+data|such[\s\-]+data)[\s\-]+(?:for[\s\-]+(?:this|that|these|those)[\s\-]+purposes?|in[\s\-]+this[\s\-]+way)\b",
        "A scoped promise pointing back at the training just described: 'Texts submitted by Pro subscribers "
        "are never used for this purpose' (§11) - only in a passage with a training mention.",
        needs=("training",),
    ),
)

# ---------------------------------------------------------------------------------------------
# OPT_OUT_OFFERED cues.  All need a training mention in the passage or its lead-in (§12): a generic
# GDPR rights list, consent withdrawal or "depending on your settings" alone is not an opt-out.
# ---------------------------------------------------------------------------------------------

OPT_OUT: tuple[Rule, ...] = (
    Rule(
        "opt-out",
        "OPT_OUT_OFFERED",
        r"\bopt(?:ing|s|ed)?[\s\-]+out\b|\bopt-out\b",
        "An opt-out, in a passage about training ('you can opt out …', 'unless you opt out') (§10).",
        needs=("training",),
        unless=(
            r"\b(?:arbitration|sales?|sell|selling|sharing[\s\-]+of[\s\-]+your[\s\-]+personal|marketing|advertis\w+|cookies)\b",
            # 'organizations are opted out of data-sharing by default' describes an opt-in regime.
            r"\b(?:are|is)[\s\-]+opted[\s\-]+out\b[^.]*\bby[\s\-]+default\b",
        ),
    ),
    Rule(
        "object",
        "OPT_OUT_OFFERED",
        r"\bright[\s\-]+to[\s\-]+\[?object\b|\bobject(?:ion)?[\s\-]+(?:form|to[\s\-]+(?:the|our)[\s\-]+use)\b|\bto[\s\-]+\[?object\b|\bobjection\b",
        "A right to object / objection form tied, in the same passage, to AI training (§11, §12).  The verb "
        "may be a link ('the right to [object](…) to the use of your information').",
        needs=("training",),
    ),
    Rule(
        "turn-off-control",
        "OPT_OUT_OFFERED",
        r"\b(?:turn|switch)(?:ing|s|ed)?[\s\-]+(?:it|this|that|these|them)?[\s\-]*off\b|\bturned[\s\-]+off\b|\bcontrol[\s\-]+whether\b|\bdisabl\w+[\s\-]+(?:\w+[\s\-]+)?training\b"
        r"|\b(?:change|update|withdraw)[\s\-]+(?:this|that|your)[\s\-]+(?:choice|preference|consent|permission)\w*"
        r"|\b(?:choose|decide|control)[\s\-]+whether\b|\b(?:disabl|deactivat|toggl)\w*[\s\-]+(?:off[\s\-]+)?(?:the[\s\-]+|your[\s\-]+)?(?:[\w\-]+[\s\-]+){0,4}(?:setting|toggle|option|control)s?\b"
        r"|\bexclud\w+[\s\-]+(?:your|their)[\s\-]+(?:[\w\-]+[\s\-]+){0,2}(?:data|content|information)\b"
        r"|\bdo[\s\-]+not[\s\-]+train[\s\-]+on[\s\-]+my[\s\-]+content\b"
        r"|\bprefer[\s\-]+not[\s\-]+to[\s\-]+have[\s\-]+your[\s\-]+data[\s\-]+used\b|\bif[\s\-]+training[\s\-]+is[\s\-]+enabled\b",
        "A product control that keeps data out of training: 'turn off training', 'control whether your data "
        "is used to improve Google AI', 'If Keep Activity is off …' (§12).",
        needs=("training",),
    ),
    Rule(
        "choices-pointer",
        "OPT_OUT_OFFERED",
        r"\b(?:your[\s\-]+choices|(?:how[\s\-]+to|can)[\s\-]+exercise[\s\-]+your[\s\-]+rights?|submit[\s\-]+(?:a[\s\-]+)?requests?)"
        r"[\s\-]+(?:with[\s\-]+respect[\s\-]+to|related[\s\-]+to|regarding|about|over|to[\s\-]+object)\b",
        "Pointers that tie the choice to training: 'your choices with respect to that information', 'how to "
        "exercise your rights with respect to data … to train our models', 'submit requests related to … AI' (§12).",
        needs=("training",),
    ),
    Rule(
        "temporary-chat",
        "OPT_OUT_OFFERED",
        r"\b(?:use|start|turn[\s\-]+on)[\s\-]+(?:a[\s\-]+)?Temporary[\s\-]+Chats?\b|\bTemporary[\s\-]+Chats?[\s\-]+from\b"
        r"|\bif[\s\-]+(?:[\w\-]+[\s\-]+){1,3}(?:setting[\s\-]+)?is[\s\-]+off\b",
        "A mode the user picks to keep chats out of training (Temporary Chat, 'If Keep Activity is off') (§12).",
        needs=("training",),
        unless=(r"\beven[\s\-]+if\b|\bstill\b",),
    ),
    Rule(
        "prevent-this",
        "OPT_OUT_OFFERED",
        r"\b(?:you[\s\-]+(?:can|may)|to)[\s\-]+(?:prevent|stop|block|refuse)[\s\-]+(?:this|that|it|such[\s\-]+(?:use|sharing|training))[\s\-]+(?:by|in|from|through|at[\s\-]+any[\s\-]+time)\b",
        "A means to refuse the use just described: 'You can prevent this by enabling the … option' (§12); "
        "needs a training mention in the passage.",
        needs=("training",),
    ),
    Rule(
        "settings-to-refuse",
        "OPT_OUT_OFFERED",
        r"\b(?:in|through|via|using|update|updating|change|adjust)[\s\-]+(?:your[\s\-]+(?:(?!privacy\b|account\b|data\b)[\w\-]+[’']s[\s\-]+|(?:site|blog|store|workspace|profile|app|team|organi[sz]ation)[\s\-]+)?)?(?:account[\s\-]+|privacy[\s\-]+|data[\s\-]+)?(?:settings|data[\s\-]+controls|privacy[\s\-]+portal)\b",
        "A setting the user can change to stop the use — only counts next to an opt-out/objection verb in "
        "the same sentence (the 'unless' of this rule), never 'depending on your settings' alone (§12).",
        needs=("training",),
        unless=(r"\bdepending[\s\-]+on[\s\-]+your[\s\-]+settings\b",),
    ),
)

# ---------------------------------------------------------------------------------------------
# THIRD_PARTY_AI: data going to third-party AI providers, or partners training on it (§14).
# ---------------------------------------------------------------------------------------------

THIRD_PARTY: tuple[Rule, ...] = (
    Rule(
        "share-with-ai-provider",
        "THIRD_PARTY_AI",
        r"\b(?:shar\w+|disclos\w+|send\w*|sent|provid\w+|transfer\w*|pass\w*|licens\w*|available|sell\w*|sold)\b{W12}[\s\-]+(?:with|to|by|in)[\s\-]+"
        r"(?:(?:our|the|select(?:ed)?|other|certain)[\s\-]+)*(?:(?!AI\b|LLM\b|model\b)[\w\-]+[\s\-]+){0,2}?(?:third[\s\-]+party[\s\-]+|third-party[\s\-]+|(?:responses|answers|results|outputs?)[\s\-]+(?:provided|generated|given|produced)[\s\-]+by[\s\-]+(?:an?|the)[\s\-]+)?"
        r"(?:{AI}|LLM|model|generative[\s\-]+AI)[\s\-]+(?:model[\s\-]+)?(?:providers?|vendors?|partners?|compan(?:y|ies)|sub-?processors?|chatbots?|assistants?)"
        # a named AI company as the recipient ('share … with OpenAI'; 'provided by OpenAI' is the service itself)
        r"|\b(?:shar\w+|disclos\w+|send\w*|sent|transfer\w*|pass\w*|licens\w*)\b{W8}[\s\-]+(?:with|to)[\s\-]+(?:OpenAI|Anthropic|Mistral|Cohere)\b"
        # AI providers named as the processors of users' data: 'AI subprocessors such as OpenAI'
        r"|\b(?:third[\s\-]+party[\s\-]+|third-party[\s\-]+)?(?:{AI}|LLM)[\s\-]+(?:model[\s\-]+)?(?:sub-?processors|providers|vendors)[\s\-]+(?:such[\s\-]+as|like|including)[\s\-]+[A-Z]\w+"
        # data shared with another company so that it can train its own models: 'shares data with our parent
        # company Microsoft … so that Microsoft can train and improve its AI models'
        r"|\b(?:shar\w+|disclos\w+|provid\w+|licens\w*|make[\s\-]+\w+[\s\-]+\w+[\s\-]+available)\b[^.;]{0,60}?\b(?:with|to|by)[\s\-]+(?:our[\s\-]+|its[\s\-]+)?{THIRD}(?:[\s\-]+[A-Z]\w+)?"
        r"(?=[^.]{0,400}?\b(?:train|fine-tun|improv|develop)\w*[\s\-]+(?:and[\s\-]+\w+[\s\-]+)?(?:its|their|{THIRD}[’']s)[\s\-]+(?:own[\s\-]+)?(?:[\w\-]+[\s\-]+){0,2}models?\b)",
        "User data reaching another company's AI (§14): shared with / sent to / made available in AI model "
        "providers, AI subprocessors, 'an AI chatbot like OpenAI's ChatGPT', or shared with a third party or "
        "parent company so that it can train its own models.",
    ),
    Rule(
        "send-to-company-ai",
        "THIRD_PARTY_AI",
        r"\b(?:shar\w+|disclos\w+|send\w*|sent|transfer\w*|pass\w*|transmit\w*|forward\w*)\b{W8}[\s\-]+to[\s\-]+(?-i:[A-Z][\w\-]*(?:[\s\-]+[A-Z][\w\-]*)?)[’']s[\s\-]+"
        r"(?:[\w\-]+[\s\-]+){0,4}?(?:{AI_TERM}|{AI_PRODUCT}|OpenAI|Anthropic)(?:[\s\-]+[\w\-]+)?[\s\-]+(?:APIs?|models?|services?|platform)\b",
        "Users' data sent to another company's AI service: 'sends meeting audio to Google Cloud's speech-to-text "
        "and Gemini APIs', 'passed to Amazon's foundation models', 'Microsoft's Azure OpenAI Service' (§14).",
    ),
    Rule(
        "ai-provider-role",
        "THIRD_PARTY_AI",
        r"\b(?:our|its)[\s\-]+(?:(?!AI\b|LLM\b)[\w\-]+[\s\-]+){0,2}?(?:{AI}|LLM|AI[\s\-]+model|(?:large[\s\-]+)?language[\s\-]+model|generative[\s\-]+AI)[\s\-]+(?:model[\s\-]+)?(?:providers|vendors|sub-?processors|partners)\b"
        r"|\b(?:{AI}|LLM|large[\s\-]+language[\s\-]+model|AI[\s\-]+model|language[\s\-]+model|generative[\s\-]+AI)[\s\-]+(?:model[\s\-]+)?(?:providers?|sub-?processors?|vendors?)[\s\-]+(?:for|of|powering|that[\s\-]+powers?)\b",
        "The service's own AI vendors named as handling users' data ('our AI providers are contractually "
        "prohibited from …', 'the underlying model providers'), and a sub-processor list entry whose role is "
        "'Large language model provider for <feature>' (§14: user data goes to third-party model providers).",
    ),
    Rule(
        "third-party-ai",
        "THIRD_PARTY_AI",
        r"\bthird[\s\-]+part(?:y|ies)[’']?[\s\-]+(?:AI|LLMs?|large[\s\-]+language[\s\-]+models?|generative[\s\-]+AI|AI[\s\-]+models?|models?)\b",
        "'third-party LLMs / AI models' process the data.",
        unless=(r"\bapps?\b|\bintegrations?\b|\bconnectors?\b|\bactions\b",),
        case=False,
    ),
    Rule(
        "ai-chatbot-like",
        "THIRD_PARTY_AI",
        r"\b(?:AI|artificial[\s\-]+intelligence)[\s\-]+(?:chatbots?|assistants?|models?|services?)[\s\-]+(?:like|such[\s\-]+as|including)[\s\-]+[A-Z][\w’']+",
        "Users' posts surfacing 'in responses provided by an AI chatbot like OpenAI's ChatGPT' (§14).",
    ),
)

# ---------------------------------------------------------------------------------------------
# SCRAPING_AI_RESTRICTION: bans/reservations on others using the service's content for AI (§15).
# ---------------------------------------------------------------------------------------------

SCRAPING: tuple[Rule, ...] = (
    Rule(
        "data-mining",
        "SCRAPING_AI_RESTRICTION",
        r"\b(?:text[\s\-]+and[\s\-]+)?data[\s\-]+mining\b|[“\"‘']mines?[”\"’']|\bTDM\b",
        "Data mining / text-and-data mining named in a ban or reservation counts even without AI words "
        "(Discord 2020, Threads 'mines', Facebook TDM) (§15).",
        unless=(r"\bwe[\s\-]+(?:use|may[\s\-]+use|perform|conduct)[\s\-]+data[\s\-]+mining\b",),
    ),
    Rule(
        "develop-models-from-content",
        "SCRAPING_AI_RESTRICTION",
        r"\b(?:use|using|uses|used)\b{W12}[\s,\-]+(?:to|for|in)[\s\-]+(?:the[\s\-]+)?(?:develop|train|build|creat|improv|fine-tun)\w*"
        r"(?:[\s,]+(?:(?:and|or)[\s\-]+)?(?:develop|train|build|creat|improv|fine-tun|test|evaluat)\w*)*(?:[\s\-]+\([^)]{0,40}\))?[\s\-]+"
        r"(?:(?:any|an?|other|competing|new|your[\s\-]+own|similar)[\s\-]+)*"
        # 'to train machine-learning or AI systems'
        r"(?:(?:{AI}|machine[\s\-]+learn(?:ing|ed)|artificial[\s\-]+intelligence)(?:[\s\-]+(?:or|and)[\s\-]+(?:{AI}|machine[\s\-]+learn(?:ing|ed)|artificial[\s\-]+intelligence))?[\s\-]+(?:systems?|applications)\b|(?:"
        r"(?:(?:{AI}|machine[\s\-]+learning|generative|artificial[\s\-]+intelligence|large|language|or|and)[\s\-]+)*"
        r"(?:models?(?![\s\-]+performance)|(?:related[\s\-]+)?(?:AI[\s\-]+)?technolog(?:y|ies))\b|(?:{AI}|artificial[\s\-]+intelligence)(?![\s\-]+(?:features?|tools?|services?))))"
        # noun form: 'use any data … in any model training or artificial intelligence application'
        r"|\b(?:use|using|uses|used)\b{W12}[\s,\-]+(?:to|for|in)[\s\-]+(?:any[\s\-]+)?(?:AI|model|machine[\s\-]+learning)[\s\-]+training\b",
        "'You may not use the Services / Output to develop (competing) models / machine-learning models'; "
        "'to create, train, or improve … any other AI technology' (§15).  Only a ban on *others*: when the "
        "negation's subject is the service ('GitHub will not use your Prompts to train') it is a promise, and so "
        "when it is the service's AI vendors who 'have agreed not to use them for model training'.",
        needs=("prohibition",),
        # the service's own use ("We do not use Customer Data to train …") is a promise, not a ban
        unless=(r"\bwe\b[^.;]{0,25}\b(?:us(?:e|ed|es|ing)|train\w*|develop\w*)\b", r"\bour[\s\-]+(?:AI[\s\-]+)?models\b",
                # 'your emails are never used to train AI models' states a fact; 'may not be used' bans
                r"\b(?:is|are|was|were|will[\s\-]+be|won[’']t[\s\-]+be)[\s\-]+(?:not[\s\-]+|never[\s\-]+)(?:be[\s\-]+)?used\b|\b(?:isn|aren|weren|wasn)[’']t[\s\-]+used\b",
                r"(?-i:\b(?!You\b|Users?\b|Customers?\b|Developers?\b|Licensees?\b)[A-Z][\w\-]+)[\s\-]+(?:will|does|do|shall|would)(?:[\s\-]+not|n[’']t)[\s\-]+(?:use|train)\b",
                # the service's vendors committed not to train on users' data: a promise about that data
                r"\b(?:providers?|partners?|vendors?|sub-?processors?|they)[\s\-]+(?:have[\s\-]+|are[\s\-]+)?(?:(?:contractually|legally)[\s\-]+)?(?:agreed|committed|required|obligated|bound)[\s\-]+not[\s\-]+to\b"),
    ),
    Rule(
        "ai-use-needs-permission",
        "SCRAPING_AI_RESTRICTION",
        r"\b(?:{TRAIN}|develop\w*|build\w*)\b[^.;]{0,80}?(?:{AI_TERM}|{MODEL})[^.;]{0,80}?\b(?:requires?|only[\s\-]+with)[\s\-]+(?:our|its|the[\s\-]+publisher[’']s)[\s\-]+"
        r"(?:prior[\s\-]+)?(?:express[\s\-]+)?(?:written[\s\-]+)?(?:permission|consent|authori[sz]ation|licen[cs]e)\b",
        "A reservation worded as a permission requirement: 'Reproduction of our journalism for the purpose of "
        "training generative AI requires our prior written consent' (§15).  'our' consent, so the service's "
        "own promise 'only with your consent' is not this.",
    ),
    Rule(
        "models-that-compete",
        "SCRAPING_AI_RESTRICTION",
        r"\b(?:develop|train|build|creat)\w*[\s\-]+(?:[\w\-]+[\s\-]+){0,3}models?[\s\-]+that[\s\-]+compete\b|\bcompeting[\s\-]+(?:AI[\s\-]+)?models?\b",
        "'develop models that compete with OpenAI' (§15).",
    ),
    Rule(
        "scrape-for-ai",
        "SCRAPING_AI_RESTRICTION",
        r"\b(?:scrap\w+|crawl\w*|harvest\w*|extract\w*)\b{W8}[\s\-]+(?:for|to)[\s\-]+(?:[\w\-]+[\s\-]+){0,2}(?:{AI}|machine[\s\-]+learning|artificial[\s\-]+intelligence|(?:AI[\s\-]+)?training|models?)\b"
        r"|\bdisallow[\s\-]+(?:[\w\-]+,?[\s\-]+){0,3}training\b",
        "'data scraping for machine learning'; robots.txt rules that 'disallow crawling, training' (§15).",
    ),
    Rule(
        "reserve-ai-rights",
        "SCRAPING_AI_RESTRICTION",
        r"\breserv\w+[\s\-]+(?:all[\s\-]+)?(?:of[\s\-]+)?(?:our[\s\-]+|its[\s\-]+)?rights?{W8}[\s\-]+(?:AI|artificial[\s\-]+intelligence|machine[\s\-]+learning|training)\b",
        "An express reservation of rights against AI training use of the content (§15).",
    ),
)

# ---------------------------------------------------------------------------------------------
# AI_FEATURE_TERMS: outputs, prompts, acceptable use of AI features, which terms govern them (§16).
# ---------------------------------------------------------------------------------------------

FEATURE: tuple[Rule, ...] = (
    Rule(
        "output-defined-term",
        "AI_FEATURE_TERMS",
        r"(?-i:\b(?:Outputs?|Prompts?|Inputs?)\b)",
        "The capitalised defined terms of AI terms ('Output', 'Prompts', 'Input') (§16).",
        needs=("ai_or_output_doc",),
        unless=(r"(?-i:^\s*(?:Input|Output)\s*$)",),
        case=True,
    ),
    Rule(
        "output-accuracy",
        "AI_FEATURE_TERMS",
        r"\b(?:outputs?|responses?|content|answers?|models?|AIs?)\b{W12}[\s\-]+(?:may|might|can|could|does|do|will)[\s\-]+not[\s\-]+(?:be[\s\-]+)?"
        r"(?:unique|accurate|reflect|complete|correct|have[\s\-]+the[\s\-]+most)\w*"
        r"|\b(?:accuracy|factual[\s\-]+accuracy)[\s\-]+of[\s\-]+(?:any[\s\-]+)?(?:[\w\-]+[\s\-]+){0,3}(?:outputs?|content|responses?)\b"
        r"|\bgenerated\b{W8}[\s\-]+(?:might|may|could)[\s\-]+be[\s\-]+(?:inaccurate|incorrect|misleading|incomplete)"
        r"|\b(?:inaccurate|incorrect|misleading)[\s\-]+(?:outputs?|responses?|information)\b"
        r"|\bsimilar[\s\-]+(?:outputs?|responses?)\b|\bsame[\s\-]+or[\s\-]+similar[\s\-]+output\b"
        r"|\b(?:outputs?|responses?|answers?|results|suggestions|summaries)\b{W8}[\s\-]+(?:may|might|can|could|will|sometimes)[\s\-]+(?:be|include|contain|produce)[\s\-]+"
        r"(?:[\w\-]+,?[\s\-]+){0,3}?(?:inaccurate|incorrect|incomplete|misleading|biased|wrong|offensive|false|harmful)\b",
        "Accuracy/similarity disclaimers about generated output (§16).",
        needs=("ai",),
    ),
    Rule(
        "generated-content",
        "AI_FEATURE_TERMS",
        r"\b(?:AI|machine)[\s\-]generated\b|\bgenerated[\s\-]+by[\s\-]+(?:AI|AIs|artificial|the[\s\-]+AI|generative|[\w\-]+[\s\-]+generation[\s\-]+features)\b"
        r"|\b(?:automate|automated)[\s\-]+content[\s\-]+generation\b|\bcontent[\s\-]+(?:that[\s\-]+is[\s\-]+)?(?:automatically[\s\-]+)?generated\b"
        r"|\bcreated[\s\-]+by[\s\-]+(?:a[\s\-]+)?(?:human|[“\"]AI[”\"])|\bhuman[\s\-]generated\b|\blabell?ed[\s\-]+as[\s\-]+created[\s\-]+by\b"
        r"|\bcode[\s\-]+generation[\s\-]+features\b",
        "AI-generated content and passing it off as human (§16).",
        # Detecting altered or AI-generated media to catch abuse is safety processing, not terms
        # of an AI feature (Google 2026: Likeness detection of faces "altered or generated by AI").
        unless=(r"\bdetect(?:s|ed|ing|ion)?\b[^.;]{0,120}\b(?:altered|manipulated|synthetic|generated)\b",),
        needs=("ai",),
    ),
    Rule(
        "jailbreak",
        "AI_FEATURE_TERMS",
        r"\bjailbreak\w*|\bprompt[\s\-]+(?:engineering|injection)\b|\bbypass[\s\-]+(?:these|the|our|any)[\s\-]+(?:protective|safety)\b"
        r"|\bbypass[\s\-]+these[\s\-]+protective[\s\-]+measures\b",
        "Acceptable use of AI features: jailbreaking, prompt injection, bypassing AI safety filters (§16).",
    ),
    Rule(
        "ai-terms-govern",
        "AI_FEATURE_TERMS",
        r"\b(?:AIs?|Generative[\s\-]+AI|Meta[\s\-]+AI)[\s\-]+(?:Additional[\s\-]+)?(?:Terms|Prohibited[\s\-]+Use[\s\-]+Policy|Use[\s\-]+Policy)\b{W8}[\s\-]+(?:also[\s\-]+)?(?:appl(?:y|ies)|govern\w*|no[\s\-]+longer|provide\w*|must)"
        r"|\b(?:govern|governs|apply[\s\-]+to)[\s\-]+(?:the[\s\-]+)?(?:use[\s\-]+of[\s\-]+)?(?:our[\s\-]+)?(?:Generative[\s\-]+)?AI[\s\-]+(?:products|features|services)\b"
        r"|\baccept\b{W12}[\s\-]+Generative[\s\-]+AI[\s\-]+Additional[\s\-]+Terms\b|\bProhibited[\s\-]+use[\s\-]+policy\b",
        "Clauses that say which terms govern generative-AI products ('the Meta AI Terms also apply') (§16). "
        "A mere list of contracts naming the AI terms has no such verb and stays unlabelled.",
        needs=("ai_or_prohibited",),
        weight=0.75,
    ),
    Rule(
        "gpts",
        "AI_FEATURE_TERMS",
        r"(?-i:\b(?:your|a|any|the|Third\s+Party|report|remove)\s+GPTs?\b|\bGPT\s+Content\b|\bGPTs\s+(?:are|that|created|may)\b)",
        "Custom-GPT terms (build, share, remove, report GPTs) (§16).",
        case=True,
        needs=("gpt_terms",),
        unless=(r"\bactions[\s\-]+for[\s\-]+GPTs\b|\bthird[\s\-]+party[\s\-]+applications\b",),
    ),
    Rule(
        "ai-acceptable-use",
        "AI_FEATURE_TERMS",
        r"\b(?:use|access)[\s\-]+(?:or[\s\-]+(?:use|access)[\s\-]+)?(?:AIs|AI[\s\-]+(?:features|products|tools))\b[\s\-]+in[\s\-]+any[\s\-]+(?:manner|way)"
        r"|\b(?:content|statements|responses)[\s,]+(?:[\w\-]+[\s,]+){0,4}generated[\s\-]+by[\s\-]+AIs?\b"
        r"|\bnot[\s\-]+responsible[\s\-]+for[\s\-]+(?:any[\s\-]+)?Outputs?\b|\bresponsible[\s\-]+for[\s\-]+checking[\s\-]+Outputs?\b"
        r"|\b(?:right,?[\s\-]+title,?[\s\-]+(?:and|or)[\s\-]+interest)[\s\-]+(?:in(?:[\s\-]+(?:and|or)[\s\-]+to)?[\s\-]+|to[\s\-]+)(?:the[\s\-]+)?AIs\b"
        r"|\bnot[\s\-]+(?:responsible|liable)[\s\-]+for[\s\-]+(?:[\w\-]+[\s\-]+){0,7}(?:AI|AIs|AI[\s\-]+tools|Outputs?)\b"
        # 'You may not use Replit AI to generate malware': a ban on what the AI feature is used for
        r"|\b(?:(?:may|must|shall)[\s\-]+not|do[\s\-]+not|don[’']t|never)[\s\-]+use[\s\-]+(?:[\w\-]+[\s\-]+){0,2}(?:{AI}|AI[\s\-]+(?:features|tools|products|services)|{AI_PRODUCT})(?:[\s\-]+(?-i:[A-Z][\w\-]*))?[\s\-]+to[\s\-]+(?!develop|train|build|create[\s\-]+(?:a[\s\-]+)?(?:competing|model))"
        # passing an AI's answers off as one's own work (§16)
        r"|\b(?:present|pass\w*[\s\-]+off|represent)\w*[\s\-]+(?:its|the[\s\-]+AI[’']s|AI|generated)[\s\-]+(?:[\w\-]+[\s\-]+){0,2}as[\s\-]+(?:your[\s\-]+own|human|original)\b",
        "Acceptable-use and ownership rules for the AIs themselves (Meta AI Terms); bans on what an AI "
        "feature may be used for (§16).  Using it to build models is SCRAPING (§15), not this.",
    ),
    Rule(
        "ai-io-ownership",
        "AI_FEATURE_TERMS",
        r"\b(?:own|owns|ownership|retain\w*[\s\-]+(?:all[\s\-]+|any[\s\-]+)?(?:rights|title)|rights[\s\-]+(?:in|to))\b[^.;]{0,60}?\b(?:prompts|inputs|outputs|generated[\s\-]+(?:content|designs?|images?|text|code|works?|outputs?|results))\b",
        "Who owns the prompts, inputs and generated output of an AI feature ('you retain any rights you have "
        "in the prompts you submit to Autodesk AI') (§16), in a passage with an AI word.",
        needs=("ai",),
    ),
    Rule(
        "inputs-sent-to-ai-provider",
        "AI_FEATURE_TERMS",
        r"\b(?:prompts?|chats?|conversations?|questions|queries|inputs?)\b[^.;]{0,60}?\b(?:sent|send|shared|passed|forwarded|transmitted)[\s\-]+(?:to|with)[\s\-]+(?:[\w\-]+[\s\-]+){0,3}?"
        r"(?:{AI}|LLM|model|language[\s\-]+model)[\s\-]+(?:model[\s\-]+)?(?:providers?|partners?|vendors?|APIs?)\b",
        "How an AI feature's prompts/chats are processed to provide it: 'Your … chats are anonymized before "
        "they are sent to the underlying model providers' (§16).  Words inside a training statement are "
        "training, not this (the engine's _NOT_IN_TRAINING_SENTENCE).",
    ),
    Rule(
        "provide-genai-feature",
        "AI_FEATURE_TERMS",
        r"\b(?:provide|curate|offer)\w*(?:[\s\-]+and[\s\-]+(?:provide|curate|offer)\w*)?[\s\-]+(?:our[\s\-]+)?(?:(?:AI[\s\-]+)?features[\s\-]+(?:that[\s\-]+are[\s\-]+)?(?:part[\s\-]+of|in)[\s\-]+)?(?:\[)?(?:Generative[\s\-]+AI|AI[\s\-]+at[\s\-]+Meta|artificial[\s\-]+intelligence[\s\-]+technology)\]?"
        r"(?:[\s\-]+(?:features|[\w\-]+[\s\-]+Services))?{W8}[\s,\-]+(?:enabling|to[\s\-]+(?:suggest|create|generate)|including[\s\-]+through[\s\-]+Generative"
        r"|that[\s\-]+(?:do[\s\-]+things[\s\-]+like[\s\-]+|can[\s\-]+)?(?:create|generate)\b)"
        r"|\bprovide[\s\-]+our[\s\-]+Generative[\s\-]+AI[\s\-]*-?powered[\s\-]+Services\b",
        "Privacy-policy statements on processing content *to provide* a generative-AI feature (§16): 'Provide "
        "and curate AI at Meta …, enabling the creation of content', 'Provide our features that are part of AI "
        "at Meta that do things like create and understand content'.",
    ),
    Rule(
        "collect-ai-interactions",
        "AI_FEATURE_TERMS",
        r"\b(?:collect|receive|process|review)\w*[\s\-]+(?:[\w\-]+[\s\-,]+){0,8}(?:exchange|interactions?)[\s\-]+(?:[\w\-]+[\s\-,]+){0,4}?with,?[\s\-]+(?:AIs|AI[\s\-]+at[\s\-]+Meta|our[\s\-]+AIs?|Meta[\s\-]+AI)\b"
        r"|\b(?:Responses?|Outputs?)[\s\-]+(?:and[\s\-]+other[\s\-]+information[\s\-]+)?you[\s\-]+receive[\s\-]+from[\s\-]+(?:AIs?|AI[\s\-]+at[\s\-]+Meta|Meta[\s\-]+AI)\b"
        r"|\b(?:prompts?|media)[\s\-]+(?:[\w\-]+[\s\-]+){0,8}(?:share[\s\-]+with|send[\s\-]+to|provide)[\s\-]+(?:[\w\-]+[\s\-]+){0,3}(?:AIs?|AI[\s\-]+at[\s\-]+Meta)\b"
        r"|\bAI[\s\-]+technology[\s\-]+transforms\b",
        "How prompts, inputs and outputs of an AI feature are collected/processed *to provide* it (§16).",
    ),
    Rule(
        "ai-generates-from-input",
        "AI_FEATURE_TERMS",
        r"(?:{AI}|generative[\s\-]+AI|AI[\s\-]+(?:features?|tools?|models?|partners)|language[\s\-]+models?|{AI_PRODUCT}|OpenAI|Anthropic)\b[^.;]{0,80}?\bto[\s\-]+"
        r"(?:generate|create|produce|draft|write|summari[sz]e|answer)\b(?![\s\-]+(?:recommendations|alerts|insights|systems|models))"
        r"(?=[^.;]{0,80}?\b(?:prompts?|inputs?|text|transcripts?|questions|answers?|summar\w+|designs|images|content|responses|code)\b)"
        r"|(?:{AI}|{AI_PRODUCT})[\s\-]+(?:generates|creates|produces|writes|drafts|summari[sz]es)\b[^.;]{0,80}?\bfrom[\s\-]+(?:your|the)\b",
        "What an AI feature does with the user's input: 'use AI to generate designs … from the prompts you "
        "enter', 'third-party AI models … to generate meeting summaries' (§16).  Recommendations, alerts or "
        "models as the product are AUTOMATED_DECISIONS / training, not this.",
        unless=(r"(?:may|must|shall|will)[\s\-]+not\b|\bprohibit\w*|\bagree[\s\-]+not\b",),
    ),
    Rule(
        "ai-input-processing",
        "AI_FEATURE_TERMS",
        r"\b(?:collect|process|store|retain|review|analy[sz])\w*[\s\-]+(?:and[\s\-]+(?:collect|process|store|retain|review)\w*[\s\-]+)?(?:your[\s\-]+)?(?:prompts?|inputs?)\b"
        r"(?:[^.;]{0,60}?\boutputs?\b)?"
        r"|\bprocess\w*[\s\-]+(?:your[\s\-]+)?(?:content|data|files|information)[\s\-]+(?:only[\s\-]+)?to[\s\-]+provide[\s\-]+(?:the[\s\-]+)?(?:{AI}|generative)",
        "How prompts/inputs (and outputs) of an AI feature are collected, stored or processed *to provide* it "
        "(§16) — in a passage with an AI word.",
        needs=("ai",),
        unless=(r"\btrain\w*\b",),
    ),
    Rule(
        "generative-ai-features",
        "AI_FEATURE_TERMS",
        r"\bGenerative[\s\-]+AI[\s\-]+Features\s*:|\bGenerative[\s\-]+AI[\s\-]+products[\s\-]+and[\s\-]+features\b\s*[:.]",
        "A clause headed 'Generative AI Features:' (§16).  The heading names the topic; a sentence with the "
        "term itself (accuracy, ownership) is the better quote, so it weighs less.",
        case=False,
        weight=0.5,
    ),
)

# ---------------------------------------------------------------------------------------------
# AUTOMATED_DECISIONS: algorithms/AI/ML deciding about, recommending to or moderating the user (§17).
# ---------------------------------------------------------------------------------------------

AUTOMATED: tuple[Rule, ...] = (
    Rule(
        "automated-decision-making",
        "AUTOMATED_DECISIONS",
        r"\bautomated[\s\-]+(?:individual[\s\-]+)?decision(?:s|[\s\-]+making)?\b|\bprofiling\b",
        "Automated decision-making and profiling named as such (§17).  A denial ('we do not engage in "
        "profiling') is vetoed by the engine's negation check.",
        unless=(r"\bright[\s\-]+(?:not[\s\-]+)?to\b",),
    ),
    Rule(
        "automated-systems-purpose",
        "AUTOMATED_DECISIONS",
        r"\b(?:automated|algorithmic)[\s\-]+(?:(?:and|or)[\s\-]+(?:manual|human)[\s\-]+)?(?:systems?|processing|technolog(?:y|ies)|tools?|review|moderation|techniques|means|methods|processes|software|to)\b"
        r"(?:[^.;]{0,120}?)\b(?:detect|identify|address|review|moderat|block|remov|flag|recommend|personali[sz]|rank|order|suggest|provide|protect|manage|verify|support|improve|curat|find|prevent|respond)\w*"
        r"|\b(?:profiling|curating)[\s,]+(?:[\w\-]+[\s,]+){0,4}automated[\s\-]+processing\b",
        "Automated systems used to moderate, detect, recommend or personalise (§17).  'automatically' "
        "(updates, cookies, logs, deletion, arbitration stays) is not this word and never matches (§18).",
        unless=(
            # the user's or an attacker's automation: scraping/access bans, 'automated abuse' (§18).
            r"\b(?:you|users?)[\s\-]+(?:may|must|will|agree|shall)[\s\-]+not\b|\bautomated[\s\-]+means[\s\-]+to[\s\-]+access\b",
            r"\bautomated[\s\-]+abuse\b|\bvia[\s\-]+automated\b|\bby[\s\-]+automated[\s\-]+means\b|\bautomated[\s\-]+or[\s\-]+other(?:wise)?\b",
            r"\bcollect\w*[\s\-]+(?:information|data)[\s\-]+in[\s\-]+an[\s\-]+automated\b",
            # ML analysis of content to improve the services is training (§9), not a decision.
            r"\banaly[sz]\w*[\s\-]+(?:your[\s\-]+)?content\b[^.]*\bmachine[\s\-]+learning\b[^.]*\bimprove\b",
        ),
    ),
    Rule(
        "ai-used-to",
        "AUTOMATED_DECISIONS",
        r"(?:{AI_TERM}|\balgorithms?\b|intelligent[\s\-]+algorithm|(?-i:\bNLP\b)|natural[\s\-]+language[\s\-]+processing|AI-driven|AI-for-HR)"
        r"(?![\s\-]+(?:compan(?:y|ies)|providers?|partners?|vendors?|crawlers?|bots|scrapers?|sub-?processors?))(?:[^.;]{0,100}?)\b(?:detect|identify|block|moderat|recommend|personali[sz]|rank|suggest|predict|monitor|decid|determin|classif(?:y|ies|ied|ying|ication)\b|categori[sz]|surface|flag|generat\w*[\s\-]+(?:real-time[\s\-]+)?alerts|isolat|extracts|prevent)\w*"
        r"|(?:{AI_TERM}|\balgorithms?\b)[\s\-]+to[\s\-]+order\b"
        r"|\b(?:algorithms?|{AI}|machine[\s\-]+learning)\b[^.;]{0,20}\bto[\s\-]+(?:analy[sz]e|review)[\s\-]+(?:your[\s\-]+)?content\b"
        r"|\b(?:made|determined|selected|ranked|chosen|decided|curated)[\s\-]+by[\s\-]+(?:an?[\s\-]+)?(?:intelligent[\s\-]+)?(?:algorithms?|{AI}|machine[\s\-]+learning|automated[\s\-]+systems)\b"
        r"|\bgenerated[\s\-]+by[\s\-]+(?:an?[\s\-]+)?(?:intelligent[\s\-]+)?(?:algorithms?|automated[\s\-]+systems)\b",
        "AI/ML/algorithms that detect spam, order ads, moderate content, recommend (§17).",
        unless=(
            # research use of AI - in the same stretch of the sentence: a Glint feature list naming
            # "research driven questions" several items after its NLP comment analytics is no research use
            # (the leading look-ahead is for speed: most sentences have no "research" at all)
            r"\A(?=.*?\bresearch)(?s:.*?)(?:\b(?:research|researchers)\b(?![\s\-]+and[\s\-]+develop)(?=[^.;]{0,160}(?:{AI_TERM}|\balgorithms?\b|(?-i:\bNLP\b)|natural[\s\-]+language[\s\-]+processing))"
            r"|(?:{AI_TERM}|\balgorithms?\b|(?-i:\bNLP\b)|natural[\s\-]+language[\s\-]+processing)[^.;]{0,160}\b(?:research|researchers)\b(?![\s\-]+and[\s\-]+develop))",
            r"\breverse[\s\-]+engineer\w*|\bdecompil\w*|\btrade[\s\-]+secrets?\b",
            # 'you may not use AIs to …' is AI_FEATURE_TERMS acceptable use, not a decision about the user.
            r"\byou[\s\-]+may[\s\-]+not\b|\bprohibit\w*\b|\bmust[\s\-]+not\b",
            r"\banaly[sz]\w*[\s\-]+(?:your[\s\-]+)?content\b[^.]*\bmachine[\s\-]+learning\b[^.]*\bimprove\b",
        ),
    ),
    Rule(
        "with-help-of-ai",
        "AUTOMATED_DECISIONS",
        r"\b(?:with[\s\-]+the[\s\-]+help[\s\-]+of|powered[\s\-]+by)[\s\-]+(?:{AI}|artificial[\s\-]+intelligence|machine[\s\-]+learning|automated[\s\-]+systems|algorithms)"
        r"(?:[\s,]+(?:automated[\s\-]+systems|inferences|and|machine[\s\-]+learning|algorithms)){0,4}",
        "'gain insights with the help of AI, automated systems, and inferences' (LinkedIn 2024, §17).",
        unless=(r"\bdevelop\w*[\s\-]+(?:and[\s\-]+)?(?:train|improv)\w*[\s\-]+(?:AI|artificial)\b(?!.*help)",),
    ),
    Rule(
        "technologies-like-ai",
        "AUTOMATED_DECISIONS",
        r"\b(?:technolog(?:y|ies)|tools?)[\s\-]+(?:like|such[\s\-]+as)[\s\-]+(?:{AI}|artificial[\s\-]+intelligence|machine[\s\-]+learning)\b"
        r"|\b(?:use|uses|using|apply|employ)[\s\-]+(?:and[\s\-]+develop[\s\-]+)?(?:advanced[\s\-]+)?(?:automated[\s\-]+)?technolog(?:y|ies)[\s\-]+(?:-[\s\-]+)?(?:like|such[\s\-]+as)[\s\-]+(?:{AI}|artificial|machine)",
        "The service applying AI/ML technologies across its service (Instagram, Facebook terms) (§17).",
        unless=(r"\bresearch\b",),
        weight=0.5,
    ),
    Rule(
        "models-automatically-decide",
        "AUTOMATED_DECISIONS",
        r"\b(?:models?|systems?|classifiers?|filters?|algorithms?)[\s\-]+(?:that[\s\-]+|which[\s\-]+|can[\s\-]+|may[\s\-]+|will[\s\-]+|then[\s\-]+)?(?:also[\s\-]+)?automatically[\s\-]+"
        r"(?:detect|flag|remov|block|moderat|review|rank|recommend|filter|hide|restrict|identif|classif|categori|suspend)\w*",
        "A model/system/classifier that automatically detects, flags, removes or ranks ('These models "
        "automatically detect and remove content that violates …') (§17).  'automatically' without such a "
        "machine subject (updates, renewals, 'help us … automatically block security threats') stays out (§18).  "
        "Weakest as a quote (below ads-system-automatically, which often matches the same words): a sentence "
        "naming the AI or algorithm is the better evidence.",
        weight=0.25,
    ),
    Rule(
        "inferences",
        "AUTOMATED_DECISIONS",
        r"\binferences[\s\-]+(?:we[\s\-]+make|about)\b[^.;]{0,120}?\b(?:recommend|personali[sz]|advertis|ads|rank|relevan)\w*"
        r"|\b(?:recommend|personali[sz]|rank)\w*[^.;]{0,60}?\binferences\b"
        # 'We infer your interests from … and use these inferences to personalise the news and ads you see'
        r"|\binfer(?:s|red|ring)?[\s\-]+(?:your|users?[’']?|their|people[’']s)[\s\-]+(?:[\w\-]+[\s\-]+){0,2}?(?:interests|preferences|demographics|characteristics)\b[^.;]{0,100}?\b(?:recommend|personali[sz]|advertis|ads|rank|relevan|tailor)\w*",
        "Explicit inferences/profiling used for recommendations or ads (Reddit 'Inferences we make …') (§17).",
    ),
    Rule(
        "personalised-ai-answers",
        "AUTOMATED_DECISIONS",
        r"\b(?:more[\s\-]+)?relevant[\s\-]+(?:responses|suggestions?|answers)[\s\-]+(?:from|with|to)\b|\brespond[\s\-]+to[\s\-]+[\w\-]+[\s\-]+with[\s\-]+a[\s\-]+relevant\b"
        r"|\b(?:AI|algorithms?)[\s\-]+(?:is[\s\-]+)?(?:able[\s\-]+to[\s\-]+)?(?:personali[sz]\w*|tailor\w*)\b",
        "Personalised AI answers and recommendations (Meta AI using interests/location) (§17).",
        needs=("ai",),
    ),
    Rule(
        "scan-messages-bots",
        "AUTOMATED_DECISIONS",
        r"\bscan\w*[\s\-]+(?:your[\s\-]+)?messages[\s\-]+to[\s\-]+provide\b",
        "Message scanning to power automated assistants/'bots' suggesting responses (LinkedIn) (§17).",
    ),
    Rule(
        "ads-system-automatically",
        "AUTOMATED_DECISIONS",
        r"\b(?:ads?|recommendation|ranking)[\s\-]+systems?[\s\-]+automatically[\s\-]+(?:reviews?|selects?|ranks?|chooses?|decides?)\b",
        "An ads/recommendation system that decides automatically which ads a user sees (§17).",
        weight=0.5,
    ),
)

ALL_RULES: tuple[Rule, ...] = TRAINING + PROMISE + OPT_OUT + THIRD_PARTY + SCRAPING + FEATURE + AUTOMATED


# ---------------------------------------------------------------------------------------------
# Passage flags (patterns over the whole URL-masked passage).
# ---------------------------------------------------------------------------------------------

FLAGS: dict[str, str] = {
    # Some AI/ML term.  'model(s)' alone does not set it (pricing/hardware/model clauses, §18).
    "ai": r"{AI_TERM}|\balgorithms?\b|(?-i:\bNLP\b)|\bAI-|{AI_PRODUCT}|\b(?:our|its|these)[\s\-]+(?:AI[\s\-]+)?models\b(?![\s\-]+(?:clauses|instructions))",
    # "improving the services" includes model training, in this same passage (Gemini §8).
    "improve_is_ai": r"\(including[\s\-]+(?:training|AI)\b|\bThese[\s\-]+(?:services[\s\-]+)?include[\s\-]+(?:\[)?(?:[\w\-]+[\s\-]+){0,2}(?:models|AI)"
    r"|\bimprove[\s\-]+model[\s\-]+performance\b|\bimprove\w*[\s\-]+(?:our[\s\-]+|its[\s\-]+)?(?:AI[\s\-]+)?models\b",
    # A prohibition: the sentence-level rule for 'use … to develop models' only applies to bans.
    # ('does not permit', and a use that 'requires our prior written permission' is reserved, §15)
    "prohibition": r"\b(?:may[\s\-]+not|must[\s\-]+not|will[\s\-]+not|agree[\s\-]+not|not[\s\-]+(?:to|permitted|allowed)|prohibit\w*|restrict\w*|forbid\w*|don[’']t|do[\s\-]+not|does[\s\-]+not|doesn[’']t|won[’']t|never)\b"
    r"|\b(?:without|requires?)[\s\-]+(?:our|its)[\s\-]+(?:prior[\s\-]+)?(?:express[\s\-]+)?(?:written[\s\-]+)?(?:permission|consent|authori[sz]ation)\b"
    r"|^\s*(?:[-*+]|\d{1,3}[.)])?\s*(?:\([ivx]+\)\s*)?(?:Using|Use)\b",
    # Passages of AI terms: a defined 'Output'/'Prompt' term means AI output there.
    # ('Our models can accept images and videos as part of Inputs': a model's defined Input term)
    "ai_or_output_doc": r"{AI_TERM}|(?-i:\b(?:[Oo]ur|[Ii]ts|[Tt]he)\s+models?\b[^.]{0,80}\b(?:Inputs?|Outputs?|Prompts?)\b)|(?-i:\bOutputs?\b[^.]{0,80}\b(?:Services|Input|model|generated))|(?-i:\b(?:extract|rely|evaluate|checking)\b[^.]{0,40}\bOutputs?\b)|(?-i:\bInput\b[^.]{0,40}\bOutput\b)",
    "ai_or_prohibited": r"{AI_TERM}|Prohibited[\s\-]+use[\s\-]+policy",
    # Custom GPT terms: 'GPT' as a product users build/share, not a model name in passing.
    "gpt_terms": r"(?-i:\byour\s+GPTs?\b|\bGPTs\b|\bGPT\s+Content\b|\ba\s+GPT\b|\bany\s+GPT\b)",
}

# Speed: a rule is tried on a sentence only if one of its anchor substrings occurs in it (lower-
# cased; an entry starting with "=" is matched case-sensitively, e.g. "=AI").  Anchors are
# necessary conditions of the pattern, nothing more: they never add a match.  A passage with none
# of the TRIGGER substrings (and a lead-in without them) is skipped whole - most of a policy is
# about cookies and arbitration.  tests/test_clauses.py checks that the gold scores are the same
# with the anchors switched off, so a rule whose anchor is missing shows up as a failing test.
_AI_WORDS = ("=AI", "artificial", "machine", "learning", "=ML", "=LLM", "language model", "generativ", "neural",
             "=GPT", "algorithm", "=NLP", "natural language", "intelligen", "foundation model")
_PRODUCTS = ("chatgpt", "gemini", "bard", "copilot", "claude", "grok", "llama", "firefly", "meta ai", "slack ai")
_TRAIN = ("train", "tun", "teach", "taught")
ANCHORS: dict[str, tuple[str, ...]] = {
    "train-model": _TRAIN,
    "model-trained": _TRAIN + ("developed", "improved"),
    "train-on-data": _TRAIN,
    "ai-training-noun": ("training", "improvement", "development"),
    "training-data-noun": ("training",),
    "opt-out-of-training": ("training",),
    "develop-ai": ("develop", "improv", "build", "built", "creat", "enhanc", "refin", "evaluat", "advanc",
                   "maintain", "support", "train"),
    "help-train-products": ("train",),
    "help-models-improve": ("help", "improve"),
    "ml-content-analysis": ("analy",),
    "improve-services-includes-ai": ("use",),
    "improve-services-including-training": ("training",),
    "delay-ai-use": ("delay", "paus", "postpon"),
    "only-with-consent": ("only",),
    "not-used-for-this-purpose": ("used for th", "used for such", "in this way", "use it for", "use them for",
                                  "use this data", "use such data"),
    "opt-out": ("opt",),
    "object": ("object",),
    "turn-off-control": ("off", "control whether", "choose whether", "decide whether", "deactivat", "toggl", "disabl", "change", "update", "withdraw", "exclud", "do not train", "prefer not", "training is enabled"),
    "choices-pointer": ("choices", "exercise", "request"),
    "temporary-chat": ("temporary", "off"),
    "settings-to-refuse": ("settings", "controls", "portal"),
    "prevent-this": ("prevent", "stop", "block", "refuse"),
    "share-with-ai-provider": ("provider", "vendor", "partner", "compan", "openai", "anthropic", "mistral", "cohere",
                               "processor", "chatbot", "assistant", "third", "recipient", "affiliate", "microsoft",
                               "parent"),
    "send-to-company-ai": _AI_WORDS + _PRODUCTS,
    "ai-provider-role": ("provider", "vendor", "processor", "partner"),
    "third-party-ai": ("third",),
    "ai-chatbot-like": ("=AI", "artificial"),
    "data-mining": ("mining", "mine", "tdm"),
    "develop-models-from-content": ("model", "technolog", "=AI", "artificial", "machine"),
    "models-that-compete": ("compet",),
    "ai-use-needs-permission": ("requir", "only with"),
    "scrape-for-ai": ("scrap", "crawl", "harvest", "extract", "disallow"),
    "reserve-ai-rights": ("reserv",),
    "output-defined-term": ("=Output", "=Prompt", "=Input"),
    "output-accuracy": ("not", "accura", "similar", "inaccurate", "incorrect", "misleading", "generated", "incomplete",
                        "biased", "wrong", "offensive", "false", "harmful"),
    "generated-content": ("generat", "created by", "labeled", "labelled"),
    "jailbreak": ("jailbreak", "prompt", "bypass"),
    "ai-terms-govern": ("terms", "policy", "govern", "apply"),
    "gpts": ("=GPT",),
    "ai-acceptable-use": ("=AI", "responsible", "liable", "present", "pass", "represent") + _PRODUCTS,
    "provide-genai-feature": ("provid", "curat", "offer"),
    "ai-io-ownership": ("own", "retain", "rights"),
    "inputs-sent-to-ai-provider": ("sent", "send", "shared", "passed", "forwarded", "transmitted"),
    "collect-ai-interactions": ("exchange", "interaction", "receive", "prompt", "media", "transforms"),
    "generative-ai-features": ("generative",),
    "ai-generates-from-input": ("generate", "create", "produce", "draft", "write", "summari", "answer"),
    "ai-input-processing": ("prompt", "input", "provide"),
    "automated-decision-making": ("automated", "profiling"),
    "automated-systems-purpose": ("automated", "algorithmic", "profiling", "curating"),
    "ai-used-to": _AI_WORDS,
    "with-help-of-ai": ("help of", "powered by"),
    "technologies-like-ai": ("technolog", "tool"),
    "inferences": ("infer",),
    "models-automatically-decide": ("automatically",),
    "personalised-ai-answers": ("relevant", "personali", "tailor"),
    "scan-messages-bots": ("scan",),
    "ads-system-automatically": ("automatically",),
}
FLAG_ANCHORS: dict[str, tuple[str, ...]] = {
    "ai": _AI_WORDS + _PRODUCTS + ("=AI-", "models"),
    "improve_is_ai": ("including", "include", "model"),
    "ai_or_output_doc": _AI_WORDS + ("=Output", "=Input", "=Prompt"),
    "ai_or_prohibited": _AI_WORDS + ("prohibited",),
    "gpt_terms": ("=GPT",),
}
TRIGGER: tuple[str, ...] = _AI_WORDS + _PRODUCTS + (
    "train", "teach", "taught", "fine-tun", "fine tun", "model", "mining", "mine", "=TDM", "=Output", "=Input",
    "=Prompt", "prompt", "jailbreak", "bypass", "prohibited", "automat", "algorithmic", "profiling", "curating",
    "infer", "scan", "openai", "anthropic", "mistral", "cohere", "delay",
)

# Lead-in words that make list items *not* about users' data (§13: Meta research datasets).
LEADIN_NOT_USER_DATA = r"\bdatasets?[\s\-]+from[\s\-]+publicly[\s\-]+available[\s\-]+sources\b|\bresearch[\s\-]+institutions\b|\bthese[\s\-]+datasets\b"

# A lead-in that introduces the *data categories* used for a purpose stated above it (Meta's legal-
# basis rows: "Develop and improve AI at Meta … Legitimate interests relied on: * … Information
# categories we use …: * Public content you or others create or share"); the items complete that
# purpose, so the lead-in reading goes on up to the purpose (§13).
LEADIN_DATA_CATEGORIES = (
    r"\b(?:information|data)[\s\-]+categories[\s\-]+we[\s\-]+use\b"
    r"|\bcategories[\s\-]+of[\s\-]+(?:personal[\s\-]+)?(?:information|data)[\s\-]+(?:we[\s\-]+use|used)\b"
)
# An item that names users' data: under such a lead-in with a training purpose it says which data trains (§8, §13).
ITEM_USER_DATA = r"\b(?:content|posts?|comments?|messages?|information|activity|interactions?|photos?|videos?|audio|profiles?)\b"

# Sentences that are only a title ("Developing and improving AI at Meta", "**Third Party Materials
# and AI**") get no label (§13): at most this many words and no sentence punctuation.
TITLE_MAX_WORDS = 9

# Conditional negation that is an opt-out presupposing training, not a promise (§10):
# "If you do not want us to use your Content to train our models, you can opt out".
CONDITIONAL_NEG = r"\b(?:if|unless|when|where)[\s\-]+(?:[\w’']+[\s\-]+){0,3}$"

# Third-party agent in front of a training mention makes it THIRD_PARTY_AI (§14).
THIRD_AGENT = (
    r"(?:{THIRD}|\btheir[\s\-]+own\b|\bindependent[\s\-]+purposes\b|\bothers\b)[^.;]{0,160}$"
)
THIRD_OWNED = r"^\s*[^.;]{0,20}?\b(?:their|third[\s\-]+part(?:y|ies)[’']?|Microsoft[’']s)[\s\-]+(?:own[\s\-]+)?(?:[\w\-]+[\s\-]+){0,3}models?\b"
# Passage-level 'content made available to other companies' + a training mention = partners may
# train on it (Reddit 2024, §14).
SHARED_TO_OTHERS = (
    r"\b(?:available|shar\w+|licens\w+|disclos\w+|provid\w+)\b[^.]{0,80}\b(?:by|to|with)[\s\-]+(?:other[\s\-]+companies|third[\s\-]+parties|partners|our[\s\-]+parent[\s\-]+company|Microsoft)\b"
    r"|\b(?:other[\s\-]+companies|organizations)[^.]{0,60}\bpartner\b"
)
