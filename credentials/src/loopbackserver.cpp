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
constexpr int kFreePortAttempts = 8;
const char *kBufferProperty = "azidRequestBuffer";
} // namespace

QString htmlEscape(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\''), QStringLiteral("&#39;"));
}

LoopbackServer::LoopbackServer(QString expectedState, QObject *parent)
    : QObject(parent), m_expectedState(std::move(expectedState)), m_server(new QTcpServer(this)),
      m_server6(new QTcpServer(this))
{
    for (QTcpServer *server : {m_server, m_server6})
        connect(server, &QTcpServer::newConnection, this, [this, server]() { onNewConnection(server); });
}

LoopbackServer::~LoopbackServer() = default;

bool LoopbackServer::listen(quint16 port)
{
    // A free port must be free on both addresses: try a few that are free on 127.0.0.1.
    const int attempts = port == 0 ? kFreePortAttempts : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (listenOn(port))
            return true;
    }
    return false;
}

bool LoopbackServer::listenOn(quint16 port)
{
    m_error.clear();
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        m_error = m_server->errorString();
        return false;
    }
    m_ipv6 = m_server6->listen(QHostAddress::LocalHostIPv6, m_server->serverPort());
    if (m_ipv6)
        return true;
    const QAbstractSocket::SocketError error = m_server6->serverError();
    if (error == QAbstractSocket::SocketAddressNotAvailableError ||
        error == QAbstractSocket::UnsupportedSocketOperationError) {
        qCInfo(lcLoopback) << "no IPv6 loopback here: listening on 127.0.0.1 only";
        return true;
    }
    m_error = QStringLiteral("Port %1 on [::1] is taken by another program (%2), which could catch the "
                             "sign-in's redirect to localhost.")
                  .arg(m_server->serverPort())
                  .arg(m_server6->errorString());
    m_server->close();
    return false;
}

quint16 LoopbackServer::port() const
{
    return m_server->serverPort();
}

QString LoopbackServer::redirectHost() const
{
    return m_ipv6 ? QStringLiteral("localhost") : QStringLiteral("127.0.0.1");
}

QString LoopbackServer::errorString() const
{
    return m_error;
}

void LoopbackServer::close()
{
    m_server->close();
    m_server6->close();
}

void LoopbackServer::keepWithinConnectionCap(QTcpSocket *socket)
{
    m_connections.removeIf([](const QPointer<QTcpSocket> &open) { return open.isNull(); });
    while (m_connections.size() >= MaxConnections) {
        // The oldest has had the longest to send its request: a browser sends it at once.
        qCDebug(lcLoopback) << "too many connections: closing the oldest";
        if (QTcpSocket *oldest = m_connections.takeFirst())
            oldest->abort();
    }
    m_connections.append(socket);
}

void LoopbackServer::onNewConnection(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        keepWithinConnectionCap(socket);
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
    close(); // one redirect only
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
