// Package api holds the JottaCloud wire types and nothing else: the JFS XML
// documents (user, device, mount point, folder, file, revisions, errors,
// search results, mode=list), the JSON bodies of the account, allocate,
// upload, purge and OAuth endpoints, the Jotta time format, the personal
// login token, path escaping and name rules, the classification of the
// built-in device's mount points (which can hold a backup, which are
// computed views), and a streaming decoder for mode=liststream that accepts
// every shape the service sends. It performs no HTTP and must not import
// the jotta client, the emulator, syncer, app, tray or any fyne package.
package api
