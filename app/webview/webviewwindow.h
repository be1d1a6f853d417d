#pragma once

#include <QUrl>
#include <QWidget>

class QLabel;
class QWebEngineCertificateError;
class QWebEngineProfile;
class QWebEngineView;

namespace azid::webview {

// The sign-in window: the page, and above it the host it is on (so a person can see they are on
// their authority and not somewhere else). Cookies and storage live only as long as the window
// (an off-the-record profile). When the authority redirects to Azid's loopback listener, the page
// that listener answers is shown and the window closes with exit code 0; closing it earlier ends
// with exit code 3.
class WebViewWindow : public QWidget
{
    Q_OBJECT
public:
    static constexpr int ExitRedirected = 0;
    static constexpr int ExitClosed = 3;

    // `redirectUri`: where the sign-in ends (the loopback listener); `trustExtraCa`: certificates the
    // default system store does not know but the app's CA bundle does are accepted after checking.
    WebViewWindow(const QUrl &start, const QUrl &redirectUri, bool trustExtraCa);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onUrlChanged(const QUrl &url);
    void onCertificateError(const QWebEngineCertificateError &error);
    bool isRedirect(const QUrl &url) const;

    QUrl m_redirectUri;
    bool m_trustExtraCa;
    bool m_redirected = false;
    QLabel *m_host;
    QWebEngineProfile *m_profile;
    QWebEngineView *m_view;
};

} // namespace azid::webview
