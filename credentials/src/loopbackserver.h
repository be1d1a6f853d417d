#pragma once

#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace azid::detail {

// What the authority sent back to the redirect URI.
struct AuthorizationRedirect
{
    QString code;
    QString error;
    QString errorDescription;
    QString clientInfo;
};

// A one-shot HTTP listener on 127.0.0.1 for the authorization redirect. It accepts exactly one GET
// that carries a code or an error with the expected state, answers it with a short page and stops
// listening. Requests with another state, other paths, garbage and slow or oversized requests get an
// answer or are dropped, and never end the flow.
class LoopbackServer : public QObject
{
    Q_OBJECT
public:
    explicit LoopbackServer(QString expectedState, QObject *parent = nullptr);
    ~LoopbackServer() override;

    // Binds 127.0.0.1 only. Port 0: a free port.
    bool listen(quint16 port);
    quint16 port() const;
    QString errorString() const;
    void close();

signals:
    void redirectReceived(const azid::detail::AuthorizationRedirect &redirect);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, int status, const QString &title, const QString &text);

    QString m_expectedState;
    QTcpServer *m_server;
    bool m_done = false;
};

QString htmlEscape(const QString &text);

} // namespace azid::detail
