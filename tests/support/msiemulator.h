#pragma once

#include "childserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace azid::test {

// Runs azid-msi-emulator (managed identity endpoints and Azure Pipelines' OIDC endpoint on
// 127.0.0.1) for a test and talks to its control API. See tests/msi-emulator/README.md.
class MsiEmulator
{
public:
    MsiEmulator();
    ~MsiEmulator();

    bool start(const QStringList &arguments = {});
    QString errorString() const { return m_error; }

    QUrl url() const { return m_url; }       // http://127.0.0.1:PORT
    QUrl tlsUrl() const { return m_tlsUrl; } // https://127.0.0.1:PORT (Service Fabric, Pipelines)
    QString caFile() const { return m_caFile; }
    QString thumbprint() const { return m_thumbprint; } // SHA-1 of the HTTPS certificate, hex
    QString arcKeyDirectory() const { return m_arcKeyDirectory; }
    // url() with this path, e.g. endpoint("/msi/token").
    QString endpoint(const QString &path, bool tls = false) const;

    QJsonDocument control(const QByteArray &method, const QString &path, const QJsonDocument &body = {});
    // POST /_emulator/settings with the changes; returns all settings (GET when there are none).
    QJsonObject settings(const QJsonObject &changes = {});
    bool fault(const QJsonObject &fault);
    void reset();
    // The request log, optionally only one source's (imds, appservice, arc, ...).
    QJsonArray requests(const QString &source = {});

private:
    ChildServer m_server;
    QUrl m_url;
    QUrl m_tlsUrl;
    QString m_caFile;
    QString m_thumbprint;
    QString m_arcKeyDirectory;
    QString m_error;
};

} // namespace azid::test
