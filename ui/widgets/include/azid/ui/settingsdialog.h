#pragma once

#include "azid/model/appsettings.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace azid::ui {

// The app's settings: defaults for new sign-ins, the clipboard, start at login, network (extra CA
// bundle, proxy) and memory-only mode. Reads the settings when shown, writes them on Save. Every field
// has a tooltip and a name of its own for screen readers; the groups' fields start at one edge; the
// groups scroll where the screen is small.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(model::AppSettings *settings, QWidget *parent = nullptr);

    // Form <-> settings.
    void load();
    bool save();
    // Why the form cannot be saved; empty when it can.
    QString problem() const;

protected:
    void showEvent(QShowEvent *event) override;

signals:
    // After Save: startAtLogin may need its autostart entry written or removed.
    void saved();

private:
    // The dialog's groups, top to bottom.
    QGroupBox *createSignInGroup();
    QGroupBox *createClipboardGroup();
    QGroupBox *createNetworkGroup();
    QGroupBox *createGeneralGroup();
    void chooseCaBundle();
    void updateForm();

    QPointer<model::AppSettings> m_settings;
    QComboBox *m_cloud;
    QLineEdit *m_authority;
    QLineEdit *m_tenant;
    QLineEdit *m_clientId;
    QComboBox *m_format;
    QSpinBox *m_clearSeconds;
    QCheckBox *m_startAtLogin;
    QLineEdit *m_caBundle;
    QRadioButton *m_proxySystem;
    QRadioButton *m_proxyManual;
    QLineEdit *m_proxyUrl;
    QCheckBox *m_memoryOnly;
    QLabel *m_problem;
    QPushButton *m_saveButton;
};

} // namespace azid::ui
