// azid-webview: the embedded browser of Azid's sign-in (see webviewwindow.h). azid starts it on
// demand and writes one JSON object to its standard input:
//   {"url": AUTHORIZE_URL, "proxy": "http://host:port" (optional), "caBundle": PEM_FILE (optional)}
// Exit codes: 0 the sign-in reached the redirect, 3 the window was closed first, 2 a bad request.
#include "webviewwindow.h"

#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <cstdio>
#include <unistd.h>

namespace {

QNetworkProxy proxyFrom(const QUrl &url)
{
    const QNetworkProxy::ProxyType type =
        url.scheme() == QStringLiteral("socks5") ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy;
    return QNetworkProxy(type, url.host(), static_cast<quint16>(url.port(8080)), url.userName(),
                         url.password());
}

int usage(const char *problem)
{
    std::fprintf(stderr, "azid-webview: %s\n", problem);
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    // Chromium's sandbox refuses to run as root.
    if (geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("azid-webview"));
    QApplication::setApplicationDisplayName(QStringLiteral("Azid"));
    QApplication::setDesktopFileName(QStringLiteral("azid"));
    QApplication::setQuitOnLastWindowClosed(false);

    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly))
        return usage("cannot read standard input");
    const QJsonObject request = QJsonDocument::fromJson(input.readLine(64 * 1024)).object();
    const QUrl url(request.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QStringLiteral("https"))
        return usage("expected {\"url\": \"https://...\"} on standard input");
    const QUrl redirectUri(QUrlQuery(url).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));

    const QString proxy = request.value(QStringLiteral("proxy")).toString();
    if (!proxy.isEmpty())
        QNetworkProxy::setApplicationProxy(proxyFrom(QUrl(proxy)));
    else
        QNetworkProxyFactory::setUseSystemConfiguration(true);
    const QString caBundle = request.value(QStringLiteral("caBundle")).toString();
    if (!caBundle.isEmpty()) {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.addCaCertificates(QSslCertificate::fromPath(caBundle));
        QSslConfiguration::setDefaultConfiguration(configuration);
    }

    azid::webview::WebViewWindow window(url, redirectUri, !caBundle.isEmpty());
    window.show();
    window.raise();
    window.activateWindow();
    return QApplication::exec();
}
