#include "webviewwindow.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QLabel>
#include <QSslCertificate>
#include <QSslError>
#include <QTimer>
#include <QVBoxLayout>
#include <QWebEngineCertificateError>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>

namespace azid::webview {

WebViewWindow::WebViewWindow(const QUrl &start, const QUrl &redirectUri, bool trustExtraCa)
    : m_redirectUri(redirectUri), m_trustExtraCa(trustExtraCa)
{
    setWindowTitle(QStringLiteral("Sign in — Azid"));
    resize(520, 720);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_host = new QLabel(this);
    m_host->setObjectName(QStringLiteral("hostLabel"));
    m_host->setTextFormat(Qt::RichText);
    m_host->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_host->setContentsMargins(10, 6, 10, 6);
    m_host->setStyleSheet(
        QStringLiteral("QLabel { background: #f3f2f1; border-bottom: 1px solid #c8c6c4; }"));
    layout->addWidget(m_host);

    // No storage name: off the record, nothing is written to disk.
    m_profile = new QWebEngineProfile(this);
    auto *page = new QWebEnginePage(m_profile, this);
    m_view = new QWebEngineView(this);
    m_view->setPage(page);
    layout->addWidget(m_view, 1);

    connect(page, &QWebEnginePage::urlChanged, this, &WebViewWindow::onUrlChanged);
    connect(page, &QWebEnginePage::certificateError, this, &WebViewWindow::onCertificateError);
    connect(page, &QWebEnginePage::loadFinished, this, [this](bool) {
        if (m_redirected) {
            m_host->setText(QStringLiteral("Signed in: back to Azid. This window closes by itself."));
            QTimer::singleShot(1500, this, &QWidget::close);
        }
    });
    onUrlChanged(start);
    m_view->load(start);
}

bool WebViewWindow::isRedirect(const QUrl &url) const
{
    if (url.scheme() != QStringLiteral("http") || url.port() != m_redirectUri.port())
        return false;
    const QString host = url.host();
    return host == QStringLiteral("localhost") || host == QStringLiteral("127.0.0.1");
}

void WebViewWindow::onUrlChanged(const QUrl &url)
{
    if (isRedirect(url)) {
        m_redirected = true;
        m_host->setText(QStringLiteral("Returning to Azid…"));
        return;
    }
    const bool secure = url.scheme() == QStringLiteral("https");
    const QString host =
        (url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host())
            .toHtmlEscaped();
    m_host->setText(secure ? QStringLiteral("Signing in at <b>%1</b> (secure connection)").arg(host)
                           : QStringLiteral("<b>Not secure:</b> %1://%2").arg(url.scheme(), host));
    m_host->setToolTip(url.toString(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo));
}

void WebViewWindow::onCertificateError(const QWebEngineCertificateError &error)
{
    // Chromium checks against the system's store; the app's extra CA bundle (a TLS-inspecting proxy,
    // a private authority) is in Qt's default configuration, so the chain is checked again with it.
    auto certificateError = error;
    if (m_trustExtraCa && certificateError.isOverridable()) {
        const QList<QSslError> problems =
            QSslCertificate::verify(certificateError.certificateChain(), certificateError.url().host());
        if (problems.isEmpty()) {
            certificateError.acceptCertificate();
            return;
        }
    }
    certificateError.rejectCertificate();
    m_host->setText(QStringLiteral("<b>%1: the certificate is not trusted</b> (%2). If a proxy inspects TLS "
                                   "here, add its CA in Azid's settings.")
                        .arg(certificateError.url().host().toHtmlEscaped(),
                             certificateError.description().toHtmlEscaped()));
}

void WebViewWindow::closeEvent(QCloseEvent *event)
{
    QWidget::closeEvent(event);
    QCoreApplication::exit(m_redirected ? ExitRedirected : ExitClosed);
}

} // namespace azid::webview
