#pragma once

#include "httpconnection.h"

#include <QTcpServer>

namespace azid::msiemulator {

// Plain HTTP on 127.0.0.1, as managed identity endpoints are: each connection is served by the
// sandbox's HttpConnection on a QSslSocket that never starts encryption.
class PlainHttpServer : public QTcpServer
{
    Q_OBJECT

public:
    PlainHttpServer(sandbox::HttpConnection::Handler handler,
                    sandbox::HttpConnection::ProtocolErrorLogger errorLogger, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    sandbox::HttpConnection::Handler m_handler;
    sandbox::HttpConnection::ProtocolErrorLogger m_errorLogger;
};

} // namespace azid::msiemulator
