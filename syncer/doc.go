// Package syncer is the backup engine: folder pairs, the local walk with
// exclude rules, the change index, parallel MD5 hashing, the pure plan, the
// upload/move/prune execution, scheduling (interval and file watching),
// pause and progress events. It defines the Remote interface it needs and
// must not import jotta, app, tray or fyne.
package syncer
