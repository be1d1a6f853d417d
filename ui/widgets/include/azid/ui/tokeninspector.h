#pragma once

#include "azid/clock.h"
#include "azid/model/jwt.h"
#include "azid/ui/claimsmodel.h"

#include <QDialog>
#include <QTimer>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTabWidget;

namespace azid::ui {

// Decodes a token offline, from the cache or pasted: its header, its claims with what they mean, and
// its times as local times with a live countdown. Nothing is sent anywhere and the signature is not
// checked. A pasted WWW-Authenticate claims challenge can ask for a new token with those claims,
// for the account the token came from. What comes from the token or a server is shown as plain text.
class TokenInspector : public QDialog
{
    Q_OBJECT
public:
    explicit TokenInspector(QWidget *parent = nullptr);
    ~TokenInspector() override;

    // `accountId` and `scopes`: where the token came from, for claims challenges; empty for pasted ones.
    void setToken(const QString &token, const QString &accountId = {}, const QStringList &scopes = {});
    void setClock(const Clock *clock);

    const model::DecodedToken &decoded() const { return m_decoded; }
    ClaimsModel *claimsModel() { return &m_claims; }
    QString statusText() const;
    model::ClaimsChallenge challenge() const { return m_challenge; }
    QString accountId() const { return m_accountId; }

    QSize sizeHint() const override;

signals:
    void newTokenRequested(const QString &accountId, const QStringList &scopes, const QString &claims);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    // The claims, the header and the claims challenge.
    void createTabs();
    QWidget *createChallengePage();
    void decode();
    void tick();
    void parseChallenge();

    const Clock *m_clock;
    model::DecodedToken m_decoded;
    ClaimsModel m_claims;
    model::ClaimsChallenge m_challenge;
    QString m_accountId;
    QStringList m_scopes;
    QTimer m_tick;
    QSize m_preferredSize;

    QPlainTextEdit *m_tokenEdit;
    QLabel *m_status;
    QTabWidget *m_tabs;
    QTableView *m_claimsView;
    QPlainTextEdit *m_headerView;
    QPlainTextEdit *m_challengeEdit;
    QLabel *m_challengeResult;
    QPushButton *m_requestButton;
};

} // namespace azid::ui
