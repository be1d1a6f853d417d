// The fast way to load a token cache: its access tokens (most of a large cache's bytes) are read
// straight from the text into their entries, without a QJsonDocument of the whole cache or a
// QJsonObject per token; each keeps its own JSON text, so that saving writes it back unchanged. What
// the fast reader does not handle (the other sections, a token with escapes, numbers or nested values,
// or text that is not compact) goes through QJsonDocument as before, one section or one entry at a
// time, and text that is not JSON goes to the general parser, which says what is wrong with it.
#include "tokencachedata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cstring>
#include <vector>

namespace azid {

using namespace detail::cachedata;

namespace {

// Walks JSON text. Every reading function leaves the position after what it read, skipping white space
// first, and counts the white space it skipped between tokens.
class JsonScanner
{
public:
    explicit JsonScanner(QByteArrayView text) : m_text(text) {}

    qsizetype position() const { return m_position; }
    void moveTo(qsizetype position) { m_position = position; }
    int spaces() const { return m_spaces; }
    QByteArrayView textBetween(qsizetype from, qsizetype to) const { return m_text.sliced(from, to - from); }

    bool atEnd()
    {
        skipSpace();
        return m_position == m_text.size();
    }

    // `c` is next: consumes it.
    bool take(char c)
    {
        skipSpace();
        if (m_position == m_text.size() || m_text[m_position] != c)
            return false;
        ++m_position;
        return true;
    }

    // A string of printable ASCII without escapes, as its bytes between the quotes. Nothing (and the
    // position unspecified) for anything else.
    std::optional<QByteArrayView> plainString()
    {
        if (!take('"'))
            return std::nullopt;
        const qsizetype begin = m_position;
        const auto *quote =
            static_cast<const char *>(std::memchr(m_text.data() + begin, '"', size_t(m_text.size() - begin)));
        if (!quote)
            return std::nullopt;
        const QByteArrayView text = m_text.sliced(begin, quote - (m_text.data() + begin));
        // Checked without an early exit, so that the compiler can check many bytes at once.
        bool plain = true;
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            plain &= byte >= 0x20 && byte < 0x7f && byte != '\\';
        }
        if (!plain)
            return std::nullopt;
        m_position = begin + text.size() + 1;
        return text;
    }

    // Any JSON value, skipped: its text. It is only delimited here, not checked (QJsonDocument checks
    // it); nothing when even its end cannot be found.
    std::optional<QByteArrayView> value()
    {
        skipSpace();
        const qsizetype begin = m_position;
        int depth = 0;
        for (qsizetype i = begin; i < m_text.size(); ++i) {
            const char c = m_text[i];
            if (c == '"') {
                i = stringEnd(i + 1);
                if (i < 0)
                    return std::nullopt;
                if (depth == 0)
                    return endAt(begin, i + 1);
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0)
                    return endAt(begin, i); // a number or a literal, ended by its container
                if (--depth == 0)
                    return endAt(begin, i + 1);
            } else if (c == ',' && depth == 0) {
                return endAt(begin, i);
            }
        }
        return std::nullopt;
    }

private:
    void skipSpace()
    {
        const qsizetype before = m_position;
        while (m_position < m_text.size() && isSpace(m_text[m_position]))
            ++m_position;
        m_spaces += int(m_position - before);
    }

    static bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

    std::optional<QByteArrayView> endAt(qsizetype begin, qsizetype end)
    {
        if (end == begin)
            return std::nullopt;
        m_position = end;
        return m_text.sliced(begin, end - begin);
    }

    // The index of the quote that ends the string whose text starts at `from`; -1 without one.
    qsizetype stringEnd(qsizetype from) const
    {
        for (qsizetype i = from; i < m_text.size(); ++i) {
            if (m_text[i] == '\\')
                ++i;
            else if (m_text[i] == '"')
                return i;
        }
        return -1;
    }

    QByteArrayView m_text;
    qsizetype m_position = 0;
    int m_spaces = 0;
};

// One JSON value as QJsonDocument reads it (it takes only objects and arrays at the top).
std::optional<QJsonValue> parseValue(QByteArrayView text)
{
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[').append(text).append(']');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return std::nullopt;
    return document.array().first();
}

// As jsonInteger() and clampEpoch() read a timestamp written as a string.
qint64 epochFromText(QByteArrayView text)
{
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    return ok ? detail::clampEpoch(
                    std::clamp(number, -detail::limits::MaxJsonInteger, detail::limits::MaxJsonInteger))
              : 0;
}

// The fields of an access token that Azid reads, as accessTokenFromJson() reads them.
using FieldSetter = void (*)(CachedAccessToken &, QByteArrayView);

struct AccessTokenField
{
    QByteArray name;
    FieldSetter set;
};

const std::vector<AccessTokenField> &accessTokenFields()
{
    static const std::vector<AccessTokenField> fields = [] {
        return std::vector<AccessTokenField>{
            {cf::SecretField.toLatin1(), [](auto &t, auto v) { t.secret = Secret(v.toByteArray()); }},
            {cf::HomeAccountId.toLatin1(), [](auto &t, auto v) { t.homeAccountId = QString::fromLatin1(v); }},
            {cf::Environment.toLatin1(), [](auto &t, auto v) { t.environment = QString::fromLatin1(v); }},
            {cf::ClientId.toLatin1(), [](auto &t, auto v) { t.clientId = QString::fromLatin1(v); }},
            {cf::Realm.toLatin1(), [](auto &t, auto v) { t.realm = QString::fromLatin1(v); }},
            {cf::Target.toLatin1(), [](auto &t, auto v) { t.target = QString::fromLatin1(v); }},
            {cf::TokenType.toLatin1(),
             [](auto &t, auto v) {
                 if (!v.isEmpty())
                     t.tokenType = QString::fromLatin1(v);
             }},
            {cf::CachedAt.toLatin1(), [](auto &t, auto v) { t.cachedAt = epochFromText(v); }},
            {cf::ExpiresOn.toLatin1(), [](auto &t, auto v) { t.expiresOn = epochFromText(v); }},
            {cf::ExtendedExpiresOn.toLatin1(),
             [](auto &t, auto v) { t.extendedExpiresOn = epochFromText(v); }},
            {cf::RefreshOn.toLatin1(), [](auto &t, auto v) { t.refreshOn = epochFromText(v); }},
        };
    }();
    return fields;
}

void setAccessTokenField(CachedAccessToken &token, QByteArrayView name, QByteArrayView text)
{
    for (const AccessTokenField &field : accessTokenFields()) {
        if (name == field.name) {
            field.set(token, text);
            return;
        }
    }
}

// A compact access token entry of plain strings, read into `entry` with its text. False (and the
// scanner anywhere in the entry) for anything else.
bool readPlainAccessToken(JsonScanner &scanner, AtEntry &entry)
{
    const int spacesBefore = scanner.spaces();
    const qsizetype begin = scanner.position();
    if (!scanner.take('{'))
        return false;
    if (!scanner.take('}')) {
        do {
            const auto name = scanner.plainString();
            if (!name || !scanner.take(':'))
                return false;
            const auto text = scanner.plainString();
            if (!text)
                return false;
            setAccessTokenField(entry.token, *name, *text);
        } while (scanner.take(','));
        if (!scanner.take('}'))
            return false;
    }
    if (scanner.spaces() != spacesBefore)
        return false;
    entry.jsonText = scanner.textBetween(begin, scanner.position()).toByteArray();
    entry.scopes = splitScopes(entry.token.target);
    return true;
}

} // namespace

bool TokenCache::Data::readSection(const QString &name, QByteArrayView sectionText)
{
    const std::optional<QJsonValue> section = parseValue(sectionText);
    if (!section || !section->isObject())
        return false;
    const QJsonObject entries = section->toObject();
    for (auto e = entries.constBegin(); e != entries.constEnd(); ++e) {
        if (e.value().isObject())
            putEntry(name, e.key(), e.value().toObject());
    }
    return true;
}

namespace {

// The access token section, entry by entry: plain ones read by the scanner, the others parsed.
// (A template: TokenCache::Data is the token cache's private type.)
template <typename CacheData> bool readAccessTokens(JsonScanner &scanner, CacheData &data)
{
    if (!scanner.take('{'))
        return false;
    if (scanner.take('}'))
        return true;
    do {
        const auto key = scanner.plainString();
        if (!key || !scanner.take(':'))
            return false;
        const QString entryKey = QString::fromLatin1(*key);
        const qsizetype start = scanner.position();
        AtEntry entry;
        if (readPlainAccessToken(scanner, entry)) {
            if (data.accessTokens.contains(entryKey))
                data.removeAccessToken(entryKey);
            data.putAccessToken(entryKey, std::move(entry));
            continue;
        }
        scanner.moveTo(start);
        const auto text = scanner.value();
        const std::optional<QJsonValue> parsed = text ? parseValue(*text) : std::nullopt;
        if (!parsed)
            return false;
        if (parsed->isObject())
            data.putEntry(cf::AccessTokenSection, entryKey, parsed->toObject());
    } while (scanner.take(','));
    return scanner.take('}');
}

} // namespace

std::unique_ptr<TokenCache::Data> TokenCache::Data::fromText(const QByteArray &json)
{
    JsonScanner scanner(json);
    auto fresh = std::make_unique<Data>();
    // Access tokens make most of a large cache, at 1.5 to 3 KB each: room for them, grown rarely.
    fresh->accessTokens.reserve(json.size() / 2048);
    if (!scanner.take('{'))
        return nullptr;
    QSet<QString> seen;
    if (!scanner.take('}')) {
        do {
            const auto key = scanner.plainString();
            if (!key || !scanner.take(':'))
                return nullptr;
            const QString name = QString::fromLatin1(*key);
            if (seen.contains(name))
                return nullptr; // which one counts is the general parser's call
            seen.insert(name);
            if (name == cf::AccessTokenSection) {
                if (!readAccessTokens(scanner, *fresh))
                    return nullptr;
                continue;
            }
            const auto text = scanner.value();
            if (!text)
                return nullptr;
            if (isKnownSection(name)) {
                if (!fresh->readSection(name, *text))
                    return nullptr;
            } else if (const std::optional<QJsonValue> other = parseValue(*text)) {
                fresh->otherSections.insert(name, *other);
            } else {
                return nullptr;
            }
        } while (scanner.take(','));
        if (!scanner.take('}'))
            return nullptr;
    }
    return scanner.atEnd() ? std::move(fresh) : nullptr;
}

} // namespace azid
