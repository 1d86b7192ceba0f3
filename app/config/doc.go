// Package config owns the user's configuration file: one human-editable
// TOML file (os.UserConfigDir()/jottacloudclient/config.toml, or
// $JOTTA_CONFIG) holding the account name, the folder pairs and the global
// options shared by the tray app, 'jotta run' and 'jotta scan'. It loads
// with defaults and warnings for unknown keys, validates per field so a GUI
// can show each message next to its field, and writes atomically, never
// replacing a file it could not parse. It holds no secrets and must not
// import jotta, syncer, tray or any fyne package; of the protocol it uses
// only the pure name rules of jotta/api (which mount points can hold a
// backup).
package config
