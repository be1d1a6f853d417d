#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
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

// What the listener makes of the bytes a connection has sent so far.
struct LoopbackRequest
{
    enum class Kind {
        Incomplete,  // no end of headers yet: wait for more
        TooLarge,    // more than MaxBytes
        NotHttp,     // no "METHOD TARGET HTTP/1.x" request line
        NotGet,      // another method
        NotRedirect, // a GET without code or error (a favicon, a probe)
        Redirect,    // a GET carrying code or error: `state` and `redirect` are filled in
    };
    static constexpr qsizetype MaxBytes = 16 * 1024;

    Kind kind = Kind::Incomplete;
    QString state;
    AuthorizationRedirect redirect;
};
LoopbackRequest parseLoopbackRequest(const QByteArray &buffer);

// A one-shot HTTP listener on loopback for the authorization redirect: 127.0.0.1 and [::1] on the same
// port, so that no other local user can take the other half of "localhost". It accepts exactly one GET
// that carries a code or an error with the expected state, answers it with a short page and stops
// listening. Requests with another state, other paths, garbage and slow or oversized requests get an
// answer or are dropped, and never end the flow.
class LoopbackServer : public QObject
{
    Q_OBJECT
public:
    explicit LoopbackServer(QString expectedState, QObject *parent = nullptr);
    ~LoopbackServer() override;

    // At most this many connections are open at once: a new one beyond it closes the oldest.
    static constexpr int MaxConnections = 16;

    // Binds 127.0.0.1 and [::1] on the same port (port 0: a free port). Fails when another program holds
    // the port on either address, since that program could catch the redirect. On a machine without
    // IPv6 only 127.0.0.1 is bound, and redirectHost() says so.
    bool listen(quint16 port);
    quint16 port() const;
    // What the redirect URI names: "localhost" when both addresses are bound, else "127.0.0.1".
    QString redirectHost() const;
    QString errorString() const;
    void close();

signals:
    void redirectReceived(const azid::detail::AuthorizationRedirect &redirect);

private:
    bool listenOn(quint16 port);
    void onNewConnection(QTcpServer *server);
    void keepWithinConnectionCap(QTcpSocket *socket);
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, int status, const QString &title, const QString &text);

    QString m_expectedState;
    QTcpServer *m_server;  // 127.0.0.1
    QTcpServer *m_server6; // [::1]
    bool m_ipv6 = false;   // [::1] is bound too
    QString m_error;
    QList<QPointer<QTcpSocket>> m_connections; // oldest first
    bool m_done = false;
};

QString htmlEscape(const QString &text);

} // namespace azid::detail
