#include "plainhttpserver.h"

#include <QSslSocket>

namespace azid::msiemulator {

PlainHttpServer::PlainHttpServer(sandbox::HttpConnection::Handler handler,
                                 sandbox::HttpConnection::ProtocolErrorLogger errorLogger, QObject *parent)
    : QTcpServer(parent), m_handler(std::move(handler)), m_errorLogger(std::move(errorLogger))
{}

void PlainHttpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    new sandbox::HttpConnection(socket, m_handler, m_errorLogger, this);
}

} // namespace azid::msiemulator
