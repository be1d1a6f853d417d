#include "httpconnection.h"

#include <QSslSocket>

#include <algorithm>

#include <sys/socket.h>

namespace azid::sandbox {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool hasControlCharacters(QByteArrayView text)
{
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7f)
            return true;
    }
    return false;
}

} // namespace

HttpConnection::HttpConnection(QSslSocket *socket, Handler handler, ProtocolErrorLogger errorLogger,
                               QObject *parent)
    : QObject(parent), m_socket(socket), m_handler(std::move(handler)), m_errorLogger(std::move(errorLogger))
{
    m_socket->setParent(this);
    connect(m_socket, &QSslSocket::readyRead, this, &HttpConnection::readAvailable);
    connect(m_socket, &QSslSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            deleteLater();
    });
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(idleTimeoutMs);
    connect(&m_idleTimer, &QTimer::timeout, this, &HttpConnection::onIdleTimeout);
    m_idleTimer.start();
    // Data may have arrived together with the end of the handshake.
    QMetaObject::invokeMethod(this, &HttpConnection::readAvailable, Qt::QueuedConnection);
}

void HttpConnection::readAvailable()
{
    if (m_closing)
        return;
    const QByteArray data = m_socket->readAll();
    if (!data.isEmpty())
        m_idleTimer.start();
    m_buffer += data;
    processBuffer();
}

void HttpConnection::processBuffer()
{
    while (!m_busy && !m_closing) {
        if (!m_current) {
            // RFC 9112 §2.2: ignore empty lines before a request line.
            while (m_buffer.startsWith("\r\n"))
                m_buffer.remove(0, 2);
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                if (m_buffer.size() > maxHeaderBytes)
                    failAndClose(431, "request head too large");
                return;
            }
            if (headEnd > maxHeaderBytes) {
                failAndClose(431, "request head too large");
                return;
            }
            if (!parseHead(headEnd))
                return;
        }
        if (m_buffer.size() < m_bodyLength) {
            if (!m_sentContinue && m_current->header("expect").toLower() == "100-continue") {
                m_sentContinue = true;
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            return;
        }
        HttpRequest request = std::move(*m_current);
        m_current.reset();
        request.body = m_buffer.left(m_bodyLength);
        m_buffer.remove(0, m_bodyLength);
        dispatch(std::move(request));
    }
}

bool HttpConnection::parseHead(qsizetype headEnd)
{
    // Keep the CRLF of the last header line so every line can be checked the same way.
    const QByteArray head = m_buffer.left(headEnd + 2);
    m_buffer.remove(0, headEnd + 4);
    QList<QByteArray> lines = head.split('\n');
    lines.removeLast();

    HttpRequest request;
    const QByteArray requestLine = lines.first().endsWith('\r') ? lines.first().chopped(1) : QByteArray();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts[0]) || hasControlCharacters(parts[1]) ||
        (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") || !request.setTarget(parts[1])) {
        failAndClose(400, "malformed request line");
        return false;
    }
    request.method = parts[0];
    request.version = parts[2];

    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (!line.endsWith('\r')) {
            failAndClose(400, "header line without CRLF");
            return false;
        }
        line.chop(1);
        const qsizetype colon = line.indexOf(':');
        // Obsolete line folding and whitespace before the colon are rejected, as RFC 9112 asks.
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)) || hasControlCharacters(line)) {
            failAndClose(400, "malformed header line");
            return false;
        }
        request.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }

    if (request.hasHeader("transfer-encoding")) {
        failAndClose(501, "chunked request bodies are not supported");
        return false;
    }
    qsizetype length = 0;
    bool seenLength = false;
    for (const auto &[name, value] : request.headers) {
        if (name != "content-length")
            continue;
        bool ok = false;
        const qlonglong parsed = value.toLongLong(&ok);
        if (!ok || parsed < 0 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            (seenLength && parsed != length)) {
            failAndClose(400, "invalid Content-Length");
            return false;
        }
        if (parsed > maxBodyBytes) {
            failAndClose(413, "request body too large");
            return false;
        }
        length = static_cast<qsizetype>(parsed);
        seenLength = true;
    }
    if (request.version == "HTTP/1.1" && !request.hasHeader("host")) {
        failAndClose(400, "missing Host header");
        return false;
    }
    m_bodyLength = length;
    m_sentContinue = false;
    m_current = std::move(request);
    return true;
}

void HttpConnection::dispatch(HttpRequest request)
{
    const bool keepAlive = request.keepAlive();
    HttpResponse response = m_handler(request);
    const bool keep = keepAlive && !response.closeConnection;
    if (ResponseGate *gate = std::exchange(response.gate, nullptr)) {
        m_busy = true;
        m_idleTimer.stop();
        gate->hold(this, [this, response, keep]() { respond(response, keep); });
        return;
    }
    respond(response, keep);
}

void HttpConnection::respond(const HttpResponse &response, bool keep)
{
    if (response.delayMs <= 0) {
        const bool wasBusy = std::exchange(m_busy, false);
        send(response, keep);
        if (wasBusy && !m_closing)
            processBuffer();
        return;
    }
    m_busy = true;
    m_idleTimer.stop();
    QTimer::singleShot(response.delayMs, this, [this, response, keep]() {
        m_busy = false;
        send(response, keep);
        if (!m_closing)
            processBuffer();
    });
}

void HttpConnection::send(const HttpResponse &response, bool keepAlive)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (response.resetAfterBytes >= 0) {
        sendThenReset(response.serialize(keepAlive).left(response.resetAfterBytes));
        return;
    }
    m_socket->write(response.serialize(keepAlive));
    m_idleTimer.start();
    if (!keepAlive)
        close();
}

void HttpConnection::close()
{
    m_closing = true;
    m_idleTimer.stop();
    m_socket->disconnectFromHost();
    // A peer that never reads would keep a graceful close pending forever.
    QTimer::singleShot(5000, this, [this]() {
        m_socket->abort();
        deleteLater();
    });
}

void HttpConnection::sendThenReset(const QByteArray &start)
{
    m_closing = true;
    m_idleTimer.stop();
    m_socket->write(start);
    const auto reset = [this]() {
        // SO_LINGER 0: close() sends a TCP reset instead of an orderly end of the stream.
        const linger abortive{1, 0};
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
        m_socket->abort();
        deleteLater();
    };
    // Once the kernel has the bytes, give loopback a moment to deliver them before the reset.
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, [this, reset](qint64) {
        if (m_socket->bytesToWrite() == 0 && m_socket->encryptedBytesToWrite() == 0)
            QTimer::singleShot(100, this, reset);
    });
}

void HttpConnection::failAndClose(int status, const QByteArray &reason)
{
    if (m_errorLogger)
        m_errorLogger(status, reason);
    m_current.reset();
    m_buffer.clear();
    send(HttpResponse::plainError(status, reason), false);
    if (!m_closing)
        close();
}

void HttpConnection::onIdleTimeout()
{
    if (m_busy)
        return;
    if (m_current || !m_buffer.isEmpty()) {
        failAndClose(408, "request timed out");
        return;
    }
    close();
}

} // namespace azid::sandbox
