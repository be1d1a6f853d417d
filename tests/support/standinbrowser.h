#pragma once

#include "azid/browseropener.h"

#include <QByteArray>
#include <QList>
#include <QUrl>

#include <functional>
#include <memory>

namespace azid::test {

class Sandbox;

// A headless stand-in for the user's browser: it follows the authorize URL on the sandbox (with
// auto-approve on), then delivers the redirect to Azid's loopback listener, as a browser would.
class StandInBrowser
{
public:
    explicit StandInBrowser(Sandbox *sandbox);

    BrowserOpener opener();

    // Called with the loopback redirect before it is delivered (attack tests send their own first).
    std::function<void(const QUrl &redirect)> beforeRedirect;
    // Whether to deliver the redirect at all (false: the user closed the browser).
    bool deliver = true;

    QList<QUrl> openedUrls() const { return m_state->opened; }
    QUrl lastRedirect() const { return m_state->lastRedirect; }
    QByteArray lastPage() const { return m_state->lastPage; }

    // GET a URL on the loopback (http), returning status and body; runs the event loop meanwhile.
    static int get(const QUrl &url, QByteArray *body = nullptr);
    // Sends raw bytes to host:port and returns everything that came back before the peer closed.
    static QByteArray exchange(const QString &host, quint16 port, const QByteArray &request);

private:
    struct State
    {
        QList<QUrl> opened;
        QUrl lastRedirect;
        QByteArray lastPage;
    };
    Sandbox *m_sandbox;
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

} // namespace azid::test
