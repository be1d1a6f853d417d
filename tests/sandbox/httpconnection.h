#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

class QSslSocket;

namespace azid::sandbox {

// Serves HTTP/1.1 requests, one after another, on one accepted TLS socket. Only what the sandbox's
// clients need: Content-Length bodies, keep-alive, Expect: 100-continue; no chunked uploads.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    using ProtocolErrorLogger = std::function<void(int status, const QByteArray &reason)>;

    static constexpr qsizetype maxHeaderBytes = 64 * 1024;
    static constexpr qsizetype maxBodyBytes = 1024 * 1024;
    static constexpr int idleTimeoutMs = 30'000;

    HttpConnection(QSslSocket *socket, Handler handler, ProtocolErrorLogger errorLogger,
                   QObject *parent = nullptr);

private:
    void readAvailable();
    void processBuffer();
    // Parses the request head at the start of the buffer; on failure sends an error and closes.
    bool parseHead(qsizetype headEnd);
    void dispatch(HttpRequest request);
    void respond(const HttpResponse &response, bool keepAlive);
    void send(const HttpResponse &response, bool keepAlive);
    void failAndClose(int status, const QByteArray &reason);
    // Sends the start of an answer and then resets the connection (a "reset" fault).
    void sendThenReset(const QByteArray &start);
    void close();
    void onIdleTimeout();

    QSslSocket *m_socket;
    Handler m_handler;
    ProtocolErrorLogger m_errorLogger;
    QByteArray m_buffer;
    std::optional<HttpRequest> m_current; // head parsed, body still arriving
    qsizetype m_bodyLength = 0;
    bool m_sentContinue = false;
    bool m_busy = false; // a (delayed or held) response is outstanding; later pipelined requests wait
    bool m_closing = false;
    QTimer m_idleTimer;
};

} // namespace azid::sandbox
