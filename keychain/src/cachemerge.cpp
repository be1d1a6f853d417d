#include "cachemerge.h"

#include <QSet>
#include <QStringList>

namespace azid::detail {

namespace {

// Keys in a stable order: ours first, then what only theirs has.
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

} // namespace

QJsonObject mergeCaches(const QJsonObject &base, const QJsonObject &ours, const QJsonObject &theirs)
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

} // namespace azid::detail
