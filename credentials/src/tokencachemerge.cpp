// TokenCache's operations on whole caches: the three-way merge with a stored copy, taking in the
// entries of another copy, and the check that bytes can be a cache.
#include "tokencachedata.h"

#include <QMutexLocker>
#include <QSet>
#include <QStringList>

namespace azid {

using namespace detail::cachedata;

namespace {

// Keys in a stable order: ours first, then what only theirs has, then what only base has.
QStringList unionOfKeys(const QJsonObject &base, const QJsonObject &ours, const QJsonObject &theirs)
{
    QStringList keys = ours.keys();
    QSet<QString> seen(keys.begin(), keys.end());
    for (const QJsonObject *side : {&theirs, &base}) {
        for (const QString &key : side->keys()) {
            if (!seen.contains(key)) {
                seen.insert(key);
                keys << key;
            }
        }
    }
    return keys;
}

QJsonValue pick(const QJsonValue &base, const QJsonValue &ours, const QJsonValue &theirs)
{
    return ours != base ? ours : theirs;
}

bool isSection(const QJsonValue &value)
{
    return value.isObject() || value.isUndefined();
}

QJsonObject mergeEntries(const QJsonObject &base, const QJsonObject &ours, const QJsonObject &theirs)
{
    QJsonObject merged;
    for (const QString &key : unionOfKeys(base, ours, theirs)) {
        const QJsonValue value = pick(base.value(key), ours.value(key), theirs.value(key));
        if (!value.isUndefined())
            merged.insert(key, value);
    }
    return merged;
}

QJsonObject mergeCacheObjects(const QJsonObject &base, const QJsonObject &ours, const QJsonObject &theirs)
{
    QJsonObject merged;
    for (const QString &key : unionOfKeys(base, ours, theirs)) {
        const QJsonValue b = base.value(key);
        const QJsonValue o = ours.value(key);
        const QJsonValue t = theirs.value(key);
        if (isSection(b) && isSection(o) && isSection(t)) {
            // A section only disappears when both sides lost it.
            if (o.isUndefined() && t.isUndefined())
                continue;
            merged.insert(key, mergeEntries(b.toObject(), o.toObject(), t.toObject()));
        } else {
            const QJsonValue value = pick(b, o, t);
            if (!value.isUndefined())
                merged.insert(key, value);
        }
    }
    return merged;
}

// `primary` with what only `secondary` has: whole members, and entries of sections both have.
QJsonObject withMissingEntries(const QJsonObject &primary, const QJsonObject &secondary)
{
    QJsonObject filled = primary;
    for (auto section = secondary.begin(); section != secondary.end(); ++section) {
        if (!filled.contains(section.key())) {
            filled.insert(section.key(), section.value());
            continue;
        }
        if (!section.value().isObject() || !filled.value(section.key()).isObject())
            continue;
        QJsonObject entries = filled.value(section.key()).toObject();
        const QJsonObject extra = section.value().toObject();
        for (auto entry = extra.begin(); entry != extra.end(); ++entry) {
            if (!entries.contains(entry.key()))
                entries.insert(entry.key(), entry.value());
        }
        filled.insert(section.key(), entries);
    }
    return filled;
}

// Empty bytes are no cache at all: an empty object.
Result<QJsonObject> parseOrEmpty(const QByteArray &json)
{
    return json.isEmpty() ? Result<QJsonObject>(QJsonObject()) : parseCacheJson(json);
}

} // namespace

Result<TokenCacheMerge> TokenCache::merge(const QByteArray &base, const QByteArray &theirs)
{
    const Result<QJsonObject> baseObject = parseOrEmpty(base);
    if (!baseObject)
        return baseObject.error();
    const Result<QJsonObject> theirsObject = parseOrEmpty(theirs);
    if (!theirsObject)
        return theirsObject.error();
    for (int attempt = 0;; ++attempt) {
        // The merge runs without the lock, so that look-ups go on meanwhile, and starts over when the
        // cache changed in between; the third attempt holds the lock throughout and cannot lose.
        const bool last = attempt == 2;
        QMutexLocker lock(&m_mutex);
        const quint64 before = generation();
        const QJsonObject ours = m_data->toJson();
        if (!last)
            lock.unlock();
        const QJsonObject merged = mergeCacheObjects(baseObject.value(), ours, theirsObject.value());
        std::unique_ptr<Data> fresh;
        if (merged != ours) {
            Result<std::unique_ptr<Data>> built = Data::fromJson(merged);
            if (!built)
                return built.error();
            fresh = std::move(built.value());
        }
        if (!last)
            lock.relock();
        if (generation() != before)
            continue; // changed meanwhile: merge again rather than drop that change
        TokenCacheMerge result;
        result.matchesTheirs = merged == theirsObject.value();
        if (fresh) {
            delete m_data;
            m_data = fresh.release();
            bumpGeneration();
            result.changed = true;
        }
        result.json = Secret(serializeLocked());
        result.generation = generation();
        return result;
    }
}

VoidResult TokenCache::addMissingEntries(const QByteArray &json)
{
    const Result<QJsonObject> other = parseCacheJson(json);
    if (!other)
        return other.error();
    QMutexLocker lock(&m_mutex);
    const QJsonObject ours = m_data->toJson();
    const QJsonObject filled = withMissingEntries(ours, other.value());
    if (filled == ours)
        return Done{};
    Result<std::unique_ptr<Data>> fresh = Data::fromJson(filled);
    if (!fresh)
        return fresh.error();
    delete m_data;
    m_data = fresh.value().release();
    bumpGeneration();
    return Done{};
}

VoidResult TokenCache::validate(const QByteArray &json)
{
    const Result<QJsonObject> parsed = parseCacheJson(json);
    if (!parsed)
        return parsed.error();
    return Done{};
}

} // namespace azid
