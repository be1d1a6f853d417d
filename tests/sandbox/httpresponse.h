#pragma once

#include "responsegate.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace azid::sandbox {

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    // Fault injection can hold a response back to exercise client timeouts.
    int delayMs = 0;
    // A "hold" fault keeps the response until this gate is released (then delayMs applies).
    ResponseGate *gate = nullptr;
    bool closeConnection = false;
    // A "reset" fault: only this many bytes of the serialised answer go out, then the connection is reset.
    qsizetype resetAfterBytes = -1;

    void setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray header(QByteArrayView name) const;

    // Serialises status line, headers (adding Content-Length and Connection) and body.
    QByteArray serialize(bool keepAlive) const;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonArray &array);
    static HttpResponse html(int status, const QString &page);
    static HttpResponse redirect(const QString &location);
    static HttpResponse plainError(int status, const QByteArray &message);
    static QByteArray reasonPhrase(int status);
};

} // namespace azid::sandbox
