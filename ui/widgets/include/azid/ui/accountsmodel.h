#pragma once

#include "azid/clock.h"
#include "azid/model/accountservice.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

namespace azid::ui {

// The stored accounts as a table, one row per account. Fed by an AccountService (or by setEntries()
// in tests); rows keep their place when the list is refreshed, so selections survive.
class AccountsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        UserColumn,
        DisplayNameColumn,
        TenantColumn,
        AuthorityColumn,
        ClientIdColumn,
        MethodColumn,
        LastSignInColumn,
        SharedColumn, // "Share with Azure tools": a check box, checkable when the service allows it
        TokensColumn,
        ColumnCount
    };
    enum Role {
        AccountIdRole = Qt::UserRole + 1, // home account id
        NeedsSignInRole,                  // bool
        IsDefaultRole,                    // bool
        ValidUntilRole,                   // qint64 epoch seconds, 0: none
        SharesWithAzureToolsRole,         // bool: AccountMetadata::shareWithAzureTools
    };

    explicit AccountsModel(model::AccountService *service = nullptr, QObject *parent = nullptr);

    void setEntries(const QList<model::AccountEntry> &entries);
    QList<model::AccountEntry> entries() const { return m_entries; }
    std::optional<model::AccountEntry> entryAt(int row) const;
    int rowOf(const QString &accountId) const;
    void setClock(const Clock *clock);
    // Tenant names to show instead of ids, when known.
    void setTenantNames(std::function<QString(const QString &tenantId)> lookup);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // The check box of SharedColumn: AccountService::setShareWithAzureTools().
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "Valid until 14:03", "Refresh token cached", "Needs sign-in": what the Tokens column says.
    QString tokenStateText(const model::AccountEntry &entry) const;

private:
    QString tenantText(const model::AccountEntry &entry) const;
    // The cloud's name, or host and port for a custom authority.
    QString authorityText(const model::AccountEntry &entry) const;
    // data() for Qt::DisplayRole and Qt::ToolTipRole.
    QVariant displayData(const model::AccountEntry &entry, int column) const;
    QVariant toolTipData(const model::AccountEntry &entry, int column) const;
    QString sharedToolTip(const model::AccountEntry &entry) const;
    QString tokensToolTip(const model::AccountEntry &entry) const;

    QPointer<model::AccountService> m_service;
    QList<model::AccountEntry> m_entries;
    const Clock *m_clock;
    std::function<QString(const QString &)> m_tenantNames;
    QTimer m_refresh; // the Tokens column ages
};

} // namespace azid::ui
