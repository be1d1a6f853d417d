#pragma once

#include "httpconnection.h"

#include <QObject>
#include <QSslConfiguration>
#include <QSslServer>
#include <QString>

namespace azid::sandbox {

// Accepts TLS connections on 127.0.0.1 and hands each to an HttpConnection.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    HttpServer(const QSslConfiguration &tls, HttpConnection::Handler handler,
               HttpConnection::ProtocolErrorLogger errorLogger, QObject *parent = nullptr);

    bool listen(quint16 port, QString *error);
    quint16 port() const;

    // TLS handshakes the servers of this process started (one per new connection).
    static int tlsHandshakes();
    static void resetTlsHandshakes();

private:
    void acceptPending();

    QSslServer m_server;
    HttpConnection::Handler m_handler;
    HttpConnection::ProtocolErrorLogger m_errorLogger;
};

} // namespace azid::sandbox
