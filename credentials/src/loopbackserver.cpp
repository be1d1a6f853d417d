#include "loopbackserver.h"

#include "logging.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

namespace azid::detail {
namespace {
constexpr int kConnectionDeadlineMs = 10000;
const char *kBufferProperty = "azidRequestBuffer";
} // namespace

QString htmlEscape(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\''), QStringLiteral("&#39;"));
}

LoopbackServer::LoopbackServer(QString expectedState, QObject *parent)
    : QObject(parent), m_expectedState(std::move(expectedState)), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &LoopbackServer::onNewConnection);
}

LoopbackServer::~LoopbackServer() = default;

bool LoopbackServer::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 LoopbackServer::port() const
{
    return m_server->serverPort();
}

QString LoopbackServer::errorString() const
{
    return m_server->errorString();
}

void LoopbackServer::close()
{
    m_server->close();
}

void LoopbackServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
        // A client that never finishes its request is dropped, so it cannot hold the flow up.
        QTimer::singleShot(kConnectionDeadlineMs, socket, [socket]() {
            qCDebug(lcLoopback) << "dropping a connection that did not send a request in time";
            socket->abort();
        });
    }
}

LoopbackRequest parseLoopbackRequest(const QByteArray &buffer)
{
    using Kind = LoopbackRequest::Kind;
    LoopbackRequest request;
    if (buffer.size() > LoopbackRequest::MaxBytes) {
        request.kind = Kind::TooLarge;
        return request;
    }
    if (buffer.indexOf("\r\n\r\n") < 0)
        return request; // Incomplete
    const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        request.kind = Kind::NotHttp;
        return request;
    }
    if (requestLine[0] != "GET") {
        request.kind = Kind::NotGet;
        return request;
    }
    const QUrl target(QStringLiteral("http://localhost") + QString::fromLatin1(requestLine[1]));
    // The authority form-encodes the query: '+' is a space there (a literal '+' arrives as %2B).
    const QUrlQuery query(target.query(QUrl::FullyEncoded).replace(QLatin1Char('+'), QStringLiteral("%20")));
    const bool isRedirect =
        query.hasQueryItem(QStringLiteral("code")) || query.hasQueryItem(QStringLiteral("error"));
    if (!target.isValid() || !isRedirect) {
        request.kind = Kind::NotRedirect;
        return request;
    }
    request.kind = Kind::Redirect;
    request.state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    request.redirect.code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    request.redirect.error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    request.redirect.errorDescription =
        query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
    request.redirect.clientInfo = query.queryItemValue(QStringLiteral("client_info"), QUrl::FullyDecoded);
    return request;
}

void LoopbackServer::onReadyRead(QTcpSocket *socket)
{
    using Kind = LoopbackRequest::Kind;
    const QByteArray buffer = socket->property(kBufferProperty).toByteArray() + socket->readAll();
    const LoopbackRequest request = parseLoopbackRequest(buffer);
    switch (request.kind) {
    case Kind::TooLarge:
        respond(socket, 431, QStringLiteral("Request too large"),
                QStringLiteral("The request is too large."));
        return;
    case Kind::Incomplete:
        socket->setProperty(kBufferProperty, buffer);
        return;
    case Kind::NotHttp:
        socket->setProperty(kBufferProperty, QByteArray());
        respond(socket, 400, QStringLiteral("Bad request"), QStringLiteral("This is not an HTTP request."));
        return;
    case Kind::NotGet:
        socket->setProperty(kBufferProperty, QByteArray());
        respond(socket, 405, QStringLiteral("Method not allowed"),
                QStringLiteral("Only GET is served here."));
        return;
    case Kind::NotRedirect:
    case Kind::Redirect:
        break;
    }
    socket->setProperty(kBufferProperty, QByteArray());
    if (request.kind == Kind::NotRedirect || m_done) {
        respond(socket, 404, QStringLiteral("Azid"), QStringLiteral("Nothing to see here."));
        return;
    }
    if (request.state != m_expectedState) {
        qCInfo(lcLoopback) << "ignoring a redirect with a state that does not belong to this sign-in";
        respond(
            socket, 400, QStringLiteral("State mismatch"),
            QStringLiteral("State mismatch: this answer does not belong to the sign-in that Azid started. "
                           "Nothing was changed."));
        return;
    }
    const AuthorizationRedirect &redirect = request.redirect;
    if (redirect.error.isEmpty()) {
        respond(socket, 200, QStringLiteral("Signed in"),
                QStringLiteral("Authentication complete. You can close this window and return to Azid."));
    } else {
        respond(
            socket, 200, QStringLiteral("Sign-in failed"),
            QStringLiteral("Authentication failed. %1: %2").arg(redirect.error, redirect.errorDescription));
    }
    m_done = true;
    m_server->close(); // one redirect only
    emit redirectReceived(redirect);
}

void LoopbackServer::respond(QTcpSocket *socket, int status, const QString &title, const QString &text)
{
    const QByteArray body =
        QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1</title></head>"
                       "<body style=\"font-family:sans-serif;margin:3em\"><h1>%1</h1><p>%2</p>"
                       "</body></html>")
            .arg(htmlEscape(title), htmlEscape(text))
            .toUtf8();
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error") +
                          "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                          "Connection: close\r\nContent-Length: " +
                          QByteArray::number(body.size()) + "\r\n\r\n" + body;
    socket->write(response);
    socket->disconnectFromHost();
}

} // namespace azid::detail
