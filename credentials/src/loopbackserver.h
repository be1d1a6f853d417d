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
