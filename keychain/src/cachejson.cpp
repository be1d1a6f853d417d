#include "cachejson.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cctype>

namespace azid::detail {

namespace {

std::optional<QJsonObject> parse(const Secret &data)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data.reveal(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

bool isCacheJson(const Secret &data)
{
    return parse(data).has_value();
}

bool looksLikeCacheJson(const Secret &data)
{
    const QByteArray &bytes = data.reveal(); // looked at in place: no copy of the secret
    qsizetype first = 0;
    qsizetype last = bytes.size() - 1;
    while (first <= last && std::isspace(static_cast<unsigned char>(bytes.at(first))))
        ++first;
    while (last >= first && std::isspace(static_cast<unsigned char>(bytes.at(last))))
        --last;
    return first < last && bytes.at(first) == '{' && bytes.at(last) == '}';
}

Secret fillMissingEntries(const Secret &primary, const Secret &secondary)
{
    const auto first = parse(primary);
    const auto second = parse(secondary);
    if (!first || !second)
        return first ? primary : secondary;
    QJsonObject merged = *first;
    for (auto section = second->begin(); section != second->end(); ++section) {
        if (!merged.contains(section.key())) {
            merged.insert(section.key(), section.value());
            continue;
        }
        if (!section.value().isObject() || !merged.value(section.key()).isObject())
            continue;
        QJsonObject entries = merged.value(section.key()).toObject();
        const QJsonObject extra = section.value().toObject();
        for (auto entry = extra.begin(); entry != extra.end(); ++entry) {
            if (!entries.contains(entry.key()))
                entries.insert(entry.key(), entry.value());
        }
        merged.insert(section.key(), entries);
    }
    QByteArray json = QJsonDocument(merged).toJson(QJsonDocument::Compact);
    Secret result(json);
    scrub(json);
    return result;
}

} // namespace azid::detail
