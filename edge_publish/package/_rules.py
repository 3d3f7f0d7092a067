"""The package rules README's package-checks table shows, each with its fix, written once.

Most rules follow Chromium, whose loader is the reference: what it refuses is an error, what it
only warns about is a warning. A few go beyond Chromium on purpose (``deliberate``): the store
refuses what Chromium loads, or Edge users would get an extension that does not work. Each
says why and on what evidence.

A finding made under a rule states the fact and ends with the rule's fix, so the fix is
written here once: README's table (kept in step by a test) and the messages both read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from edge_publish.package._findings import Findings, Severity


@dataclass(frozen=True)
class Rule:
    """One row of the package-checks table.

    Attributes:
        package: What in the package the rule is about (README's first column).
        source: Who refuses or warns, and the words they use; for a deliberate rule, why we
            go beyond Chromium and the evidence.
        severity: ``error``, ``warning`` or ``notice``.
        fix: The one sentence that says what to do, ending with a full stop; empty where each
            finding's fix depends on the case and is written with it.
        deliberate: True for a rule beyond Chromium.
        note: More of the verdict, after the severity and the fix (a milder case, say).
    """

    package: str
    source: str
    severity: Severity
    fix: str = ""
    deliberate: bool = False
    note: str = ""

    def row(self) -> str:
        """The rule as a row of README's table."""
        verdict = f"{self.severity}: {self.fix}" if self.fix else self.severity
        return f"| {self.package} | {self.source} | {verdict}{self.note} |"


def report(findings: Findings, rule: Rule, fact: str) -> None:
    """Record *fact* (a clause without a final stop) under *rule*, ended by the rule's fix."""
    message = f"{fact}; {rule.fix}" if rule.fix else f"{fact}."
    if rule.severity == "error":
        findings.error(message)
    elif rule.severity == "warning":
        findings.warning(message)
    else:
        findings.notice(message)


# --- what Chromium refuses ------------------------------------------------------------------

MISSING_LOADED_FILE: Final = Rule(
    "a file Chromium loads is not in the zip: `icons`, an action's `default_icon`, "
    "`options_page`, `options_ui.page`, `side_panel.default_path`, `chrome_url_overrides`, a "
    "content script's `js` or `css`, `storage.managed_schema`, a "
    "`declarative_net_request` ruleset, a `theme` image, the background file",
    "Chromium refuses to load the extension: \"Could not load icon 'icons/16.png' specified "
    "in 'icons'.\", \"Could not load javascript 'x.js' for script.\", \"Could not load options "
    'page \'o.html\'.", "Side panel file path must exist."',
    "error",
    "add the file to the zip or fix the path.",
)
CASE_MISMATCH: Final = Rule(
    "a file Chromium loads is named in another letter case than the zip's entry "
    "(`Icon.png` for `icon.png`)",
    "Chromium finds files case-sensitively on Linux and macOS and refuses to load the "
    "extension (\"Could not load javascript 'C.js' for script.\"); Windows alone would find it.",
    "error",
    "write the path in manifest.json exactly as the zip's entry is named.",
)
BAD_REFERENCED_JSON: Final = Rule(
    "a `declarative_net_request` ruleset that is not a JSON list, or a "
    "`storage.managed_schema` that is not a JSON object with a `type`",
    'Chromium refuses to load the extension: "r.json: Rules file must contain a list.", '
    '"r.json: expected value at line 1 column 1", "Schema must be a JSON object"; rulesets '
    "are read as standard JSON, without comments.",
    "error",
    "fix the file's JSON.",
)
BAD_JSON: Final = Rule(
    "`manifest.json` or any `_locales/*/messages.json` is not JSON as Chromium reads it: a "
    "trailing comma, a raw tab in a string, a number past a double's range, nesting 200 deep, "
    "half a surrogate pair, or not an object (comments and a BOM are fine)",
    'Chromium refuses to load the extension: "Manifest is not valid JSON. trailing comma at '
    'line 1 column 50", "Invalid locale file …".',
    "error",
    "fix the syntax.",
)
LOCALES_LAYOUT: Final = Rule(
    "a `_locales` folder without `default_locale`, a `default_locale` without a "
    "`_locales/<default_locale>/` folder of exactly that name (`en-US` for `en_US`, `EN` for "
    "`en`), or a locale folder without `messages.json`",
    "Chromium refuses to load the extension: \"Localization used, but default_locale wasn't "
    'specified in the manifest.", "Default locale was specified, but _locales subtree is '
    'missing.", "Messages file is missing for locale."',
    "error",
    "make default_locale name a folder of _locales exactly, each with its messages.json.",
)
MESSAGE_SHAPE: Final = Rule(
    'a message in any `messages.json` that is not `{"message": "text"}`: no `message`, not a '
    "string, a name other than letters, digits, `_` and `@`, placeholders without `content`, "
    "a `$name$` no placeholder defines, a reserved `@@` name",
    'Chromium refuses to load the extension: "There is no "message" element for key a.", '
    '"Variable $x$ used but not defined.", in every locale, not only the default one.',
    "error",
    'write each message as {"message": "text"}, with placeholders as {"name": {"content": "$1"}}.',
)
UNDEFINED_MESSAGE: Final = Rule(
    "`__MSG_x__` in a field Chromium localizes (`name`, `short_name`, `description`, an "
    "action's `default_title`, `omnibox.keyword`, a command's `description`, "
    "`chrome_settings_overrides`) with no message `x` in the default locale",
    'Chromium refuses to load the extension: "Variable __MSG_x__ used but not defined."',
    "error",
    "add the message to the default locale's messages.json (message names ignore case).",
)

COMPRESSION: Final = Rule(
    "entries compressed with bzip2, LZMA or anything but stored and deflated",
    "Chromium unpacks only stored and deflated entries.",
    "error",
    "rebuild the zip with deflate.",
)
RESERVED_ROOT: Final = Rule(
    "a root name starting with `_`, other than `_locales`, `_metadata`, `_platform_specific` "
    "and `__MACOSX`",
    'Chromium refuses to load it: "Filenames starting with "_" are reserved for use by the '
    'system."',
    "error",
    "rename them, or leave them out of the zip.",
)
DAMAGED_ZIP: Final = Rule(
    "a zip whose central directory asks for an unsupported zip version, or is damaged in any "
    "other way",
    "Not a zip anything can unpack (never exit 3).",
    "error",
    "rebuild the zip.",
)

# --- what Chromium only warns about ---------------------------------------------------------

MISSING_POPUP: Final = Rule(
    "an action's `default_popup` is not in the zip",
    'Chromium loads the extension with a warning ("The default_popup file in the manifest '
    "doesn't exist.\"); the button then opens nothing.",
    "warning",
    "add the file to the zip or fix the path.",
)
BACKGROUND_BOTH: Final = Rule(
    "`background.scripts` or `page` beside an MV3 `service_worker`",
    "Chromium runs the service worker and ignores the others: a cross-browser manifest.",
    "warning",
    "remove them only if the zip is for Edge alone.",
)
MISSING_OTHER_FILE: Final = Rule(
    "any other referenced file is missing (`web_accessible_resources`, `devtools_page`, "
    "`sandbox` pages)",
    "Chromium loads the extension; some builds add files at run time.",
    "warning",
    "add the file to the zip or fix the path.",
)

# --- deliberate: beyond Chromium ------------------------------------------------------------

KEY_FIELD: Final = Rule(
    "`manifest.json` has a `key`",
    'Deliberate: Chromium loads it, but the store refuses it at upload: "Package Validation '
    "Errors: The manifest shouldn't contain the key field.\" At least four public projects "
    "hit it.",
    "error",
    "remove key from the build you upload to the store, and keep it only in the manifest you "
    "load unpacked for development.",
    deliberate=True,
)
VERSION_PART: Final = Rule(
    "a `version` part over 65535",
    "Deliberate: Chromium allows parts up to 2³² - 1, but its documentation and the stores "
    "give 65535 as the limit.",
    "error",
    "keep each dot-separated part between 0 and 65535.",
    deliberate=True,
)
MANIFEST_VERSION: Final = Rule(
    "`manifest_version` above 3",
    'Deliberate: Chromium 156 loads `"manifest_version": 4`; no store takes it.',
    "error",
    "set it to 3.",
    deliberate=True,
)
MV3_BACKGROUND: Final = Rule(
    "Manifest V3 with `background.scripts` or `background.page` and no `service_worker`",
    "Deliberate: Chromium and Edge load it with a warning and never run that background, so "
    "the extension would run without it.",
    "error",
    'move the background code to "service_worker": "background.js".',
    deliberate=True,
)
MSG_WITHOUT_LOCALE: Final = Rule(
    "`__MSG_` in `name` and no `default_locale`",
    "Deliberate: Chromium loads it and lists the extension as the literal `__MSG_x__`.",
    "error",
    'add "default_locale" (for example "en") and _locales/en/messages.json with the message.',
    deliberate=True,
)
WINDOWS_NAME: Final = Rule(
    # The bar is escaped: in a Markdown table it would end the cell, code span or not.
    'an entry name Windows cannot hold: `:` `*` `?` `"` `<` `>` `\\|`, a control character, a '
    "part ending in a dot or a space, a device name (`CON`, `NUL`, `COM1`…)",
    "Deliberate: Chromium on Linux loads `a:b.js`, but most Edge users are on Windows, where "
    "the file cannot be unpacked.",
    "error",
    "rename the file, and the references to it, to a name Windows can hold.",
    deliberate=True,
)
NESTED_ARCHIVE: Final = Rule(
    "an archive inside the package (`.zip`, `.gz`, `.tgz`, `.7z`, `.rar`, `.tar`, `.crx`)",
    'Deliberate: Chromium loads it, but the store refused one at upload: "The uploaded '
    'package consists of a compressed file. Please remove the file…" (for a `.gz` entry).',
    "error",
    "leave archives out of the package, or unpack what the extension needs.",
    deliberate=True,
)
PERMISSION_LIKE_FILE: Final = Rule(
    "a permission that looks like a file name, such as `identity.email`",
    "Deliberate: Chromium knows it, but the store's validator once read it as a path: "
    "\"Manifest file reference 'identity.email' does not exist in the zip archive.\"",
    "warning",
    "if the store refuses the package for it, report it to Partner Center support, since the "
    "permission is valid.",
    deliberate=True,
)

# --- notices --------------------------------------------------------------------------------

MANY_LOCALES: Final = Rule(
    "more than 10 `_locales` folders",
    "Partner Center makes a listing language for each locale, and each needs its own "
    "description and logo.",
    "notice",
    "fill in each language's listing in Partner Center, or ship fewer locales.",
)
MANIFEST_V2: Final = Rule(
    "Manifest V2",
    'Deliberate: Chromium 156 refuses it ("Cannot install extension because it uses an '
    'unsupported manifest version."), but an existing MV2 extension may still be updated: '
    "Edge no longer accepts new MV2 extensions, Partner Center has shown MV2 deprecation "
    "warnings since August 2026, and enterprise support is expected to end in early 2027.",
    "notice",
    "move to manifest_version 3.",
    deliberate=True,
)

MANY_LOCALES_ABOVE: Final = 10

# README's table, in its order.
RULES: Final[tuple[Rule, ...]] = (
    MISSING_LOADED_FILE,
    CASE_MISMATCH,
    BAD_REFERENCED_JSON,
    BAD_JSON,
    LOCALES_LAYOUT,
    MESSAGE_SHAPE,
    UNDEFINED_MESSAGE,
    COMPRESSION,
    RESERVED_ROOT,
    DAMAGED_ZIP,
    MISSING_POPUP,
    BACKGROUND_BOTH,
    MISSING_OTHER_FILE,
    KEY_FIELD,
    VERSION_PART,
    MANIFEST_VERSION,
    MV3_BACKGROUND,
    MSG_WITHOUT_LOCALE,
    WINDOWS_NAME,
    NESTED_ARCHIVE,
    PERMISSION_LIKE_FILE,
    MANY_LOCALES,
    MANIFEST_V2,
)
