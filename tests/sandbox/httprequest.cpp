#include "httprequest.h"

namespace azid::sandbox {

QByteArray HttpRequest::header(QByteArrayView lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView lowerCaseName) const
{
    for (const auto &entry : headers) {
        if (entry.first == lowerCaseName)
            return true;
    }
    return false;
}

bool HttpRequest::keepAlive() const
{
    const QByteArray connection = header("connection").toLower();
    const auto tokens = connection.split(',');
    auto hasToken = [&tokens](QByteArrayView token) {
        for (const QByteArray &candidate : tokens) {
            if (candidate.trimmed() == token)
                return true;
        }
        return false;
    };
    if (version == "HTTP/1.0")
        return hasToken("keep-alive");
    return !hasToken("close");
}

QMap<QString, QString> HttpRequest::queryParameters() const
{
    return parseForm(rawQuery);
}

QMap<QString, QString> HttpRequest::formParameters() const
{
    return parseForm(body);
}

QMap<QString, QString> HttpRequest::parseForm(QByteArrayView encoded)
{
    QMap<QString, QString> result;
    for (QByteArray pair : encoded.toByteArray().split('&')) {
        if (pair.isEmpty())
            continue;
        pair.replace('+', ' ');
        const qsizetype equals = pair.indexOf('=');
        const QByteArray rawName = equals < 0 ? pair : pair.left(equals);
        const QByteArray rawValue = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        const QString name = QString::fromUtf8(QByteArray::fromPercentEncoding(rawName));
        if (!result.contains(name))
            result.insert(name, QString::fromUtf8(QByteArray::fromPercentEncoding(rawValue)));
    }
    return result;
}

bool HttpRequest::setTarget(const QByteArray &requestTarget)
{
    if (!requestTarget.startsWith('/'))
        return false;
    target = requestTarget;
    const qsizetype question = requestTarget.indexOf('?');
    rawPath = question < 0 ? requestTarget : requestTarget.left(question);
    rawQuery = question < 0 ? QByteArray() : requestTarget.mid(question + 1);
    const qsizetype hash = rawQuery.indexOf('#');
    if (hash >= 0)
        rawQuery.truncate(hash);
    pathSegments.clear();
    for (const QByteArray &segment : rawPath.split('/')) {
        if (!segment.isEmpty())
            pathSegments.append(QString::fromUtf8(QByteArray::fromPercentEncoding(segment)));
    }
    return true;
}

} // namespace azid::sandbox
