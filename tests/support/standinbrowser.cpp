#include "standinbrowser.h"

#include "sandbox.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTimer>

namespace azid::test {

StandInBrowser::StandInBrowser(Sandbox *sandbox) : m_sandbox(sandbox) {}

QByteArray StandInBrowser::exchange(const QString &host, quint16 port, const QByteArray &request)
{
    // The event loop keeps running meanwhile: the listener may live in this very process.
    QTcpSocket socket;
    QByteArray response;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::connected, &loop,
                     [&socket, &request]() { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&]() { response += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    socket.connectToHost(host, port);
    loop.exec();
    return response + socket.readAll();
}

int StandInBrowser::get(const QUrl &url, QByteArray *body)
{
    // A plain HTTP/1.1 GET, as a browser sends it to the loopback redirect.
    const QByteArray target = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    const QByteArray response =
        exchange(url.host(), static_cast<quint16>(url.port(80)),
                 "GET " + (target.isEmpty() ? QByteArray("/") : target) +
                     " HTTP/1.1\r\nHost: " + url.authority().toUtf8() + "\r\nConnection: close\r\n\r\n");
    const qsizetype headerEnd = response.indexOf("\r\n\r\n");
    if (body)
        *body = headerEnd < 0 ? QByteArray() : response.mid(headerEnd + 4);
    const QList<QByteArray> statusLine = response.left(response.indexOf("\r\n")).split(' ');
    return statusLine.size() >= 2 ? statusLine[1].toInt() : 0;
}

BrowserOpener StandInBrowser::opener()
{
    return [this, state = m_state](const QUrl &url) {
        state->opened.append(url);
        // Like a real browser, it acts later, not inside the call that opened it.
        QTimer::singleShot(0, [this, state, url]() {
            QUrl redirect = m_sandbox->authorizeRedirect(url);
            state->lastRedirect = redirect;
            if (redirect.isEmpty())
                return;
            // The authority names "localhost"; a browser may resolve it to either loopback address.
            redirect.setHost(QStringLiteral("127.0.0.1"));
            if (beforeRedirect)
                beforeRedirect(redirect);
            if (deliver)
                get(redirect, &state->lastPage);
        });
        return true;
    };
}

} // namespace azid::test
