#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

namespace azid::sandbox {

// One parsed HTTP/1.x request. Header names are stored lower-cased.
struct HttpRequest
{
    QByteArray method;
    QByteArray target;
    QByteArray version;
    QStringList pathSegments; // percent-decoded, empty segments dropped
    QByteArray rawPath;
    QByteArray rawQuery;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView lowerCaseName) const;
    bool hasHeader(QByteArrayView lowerCaseName) const;
    bool keepAlive() const;

    QMap<QString, QString> queryParameters() const;
    QMap<QString, QString> formParameters() const;

    // application/x-www-form-urlencoded: '+' is a space. The first occurrence of a name wins.
    static QMap<QString, QString> parseForm(QByteArrayView encoded);
    // Splits the request target; returns false when it is not an origin-form path.
    bool setTarget(const QByteArray &requestTarget);
};

} // namespace azid::sandbox
