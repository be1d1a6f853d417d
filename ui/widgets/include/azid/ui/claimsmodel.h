#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>

namespace azid::ui {

// A token's claims with what they mean; time claims as local times with how long ago or ahead
// they are, which moves as setNow() is called. Views show the text as plain text; the tooltips are
// escaped.
class ClaimsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ClaimColumn, ValueColumn, MeaningColumn, ColumnCount };

    explicit ClaimsModel(QObject *parent = nullptr);

    void setClaims(const QJsonObject &claims);
    void setNow(qint64 now);
    QString claimAt(int row) const;
    int rowOfClaim(const QString &claim) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString displayText(const QModelIndex &index) const;

    QJsonObject m_claims;
    QStringList m_order;
    qint64 m_now = 0;
};

} // namespace azid::ui
