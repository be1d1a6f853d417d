#include "httpserver.h"

#include <QHostAddress>

#include <atomic>

namespace azid::sandbox {

namespace {
std::atomic<int> g_tlsHandshakes{0};
}

int HttpServer::tlsHandshakes()
{
    return g_tlsHandshakes.load();
}

void HttpServer::resetTlsHandshakes()
{
    g_tlsHandshakes = 0;
}

HttpServer::HttpServer(const QSslConfiguration &tls, HttpConnection::Handler handler,
                       HttpConnection::ProtocolErrorLogger errorLogger, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_errorLogger(std::move(errorLogger))
{
    m_server.setSslConfiguration(tls);
    m_server.setHandshakeTimeout(10'000);
    // QSslServer counts connections still in their handshake as pending; a benchmark opening many
    // connections at once must not make it stop accepting.
    m_server.setMaxPendingConnections(1024);
    connect(&m_server, &QSslServer::pendingConnectionAvailable, this, &HttpServer::acceptPending);
    connect(&m_server, &QSslServer::startedEncryptionHandshake, this,
            [](QSslSocket *) { ++g_tlsHandshakes; });
}

bool HttpServer::listen(quint16 port, QString *error)
{
    if (m_server.listen(QHostAddress::LocalHost, port))
        return true;
    if (error)
        *error = m_server.errorString();
    return false;
}

quint16 HttpServer::port() const
{
    return m_server.serverPort();
}

void HttpServer::acceptPending()
{
    while (m_server.hasPendingConnections()) {
        auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection());
        if (!socket)
            continue;
        new HttpConnection(socket, m_handler, m_errorLogger, this);
    }
}

} // namespace azid::sandbox
