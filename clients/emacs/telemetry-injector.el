;;; telemetry-injector.el --- Eglot setup for the telemetry-injector language server -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools

;;; Commentary:

;; Registers the telemetry-injector language server with Eglot for Python, JavaScript,
;; TypeScript, Go, Java and Rust buffers, sends `telemetry-injector-settings' as initializationOptions and
;; answers workspace/configuration with them, and adds three commands:
;; `telemetry-injector-add', `telemetry-injector-remove' and `telemetry-injector-restart'.  It only
;; locates and launches the server and passes settings: diagnostics, actions and edits are all the
;; server's.  A server that cannot be found, crashes on start or exits mid-session is reported once
;; per project and not started again (Eglot does not reconnect it either) until
;; `telemetry-injector-restart'.  See README.md beside this file.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'project)

(defgroup telemetry-injector nil
  "The telemetry-injector language server."
  :group 'tools)

(defcustom telemetry-injector-server-command nil
  "The server command, a list such as (\"/path/telemetry-injector\" \"lsp\" \"--stdio\").
nil: the project's node_modules/.bin/telemetry-injector, then telemetry-injector on PATH."
  :type '(choice (const nil) (repeat string)))

(defcustom telemetry-injector-settings nil
  "The telemetryInjector settings, a plist such as (:severity \"hint\").
Sent as initializationOptions and answered on workspace/configuration; after changing them
in a running session, call `telemetry-injector-settings-changed'."
  :type 'plist)

(defconst telemetry-injector-section :telemetryInjector
  "The settings section the server reads (it was telemetry before).")

(defconst telemetry-injector-modes
  '(python-mode python-ts-mode js-mode js-ts-mode typescript-mode typescript-ts-mode tsx-ts-mode
                go-mode go-ts-mode java-mode java-ts-mode rust-mode rust-ts-mode)
  "Major modes the server is started for.")

(defun telemetry-injector--root ()
  "The project root, or `default-directory'."
  (let ((project (project-current)))
    (expand-file-name (if project (project-root project) default-directory))))

(defun telemetry-injector--resolve ()
  "The server command for the current project, as (COMMAND).
Or (nil . PROBLEM), PROBLEM naming the setting to fix."
  (if telemetry-injector-server-command
      (if (executable-find (car telemetry-injector-server-command))
          (list telemetry-injector-server-command)
        (cons nil (format "telemetry-injector: the server command %s is not executable: fix `telemetry-injector-server-command'"
                          (car telemetry-injector-server-command))))
    (let ((local (expand-file-name "node_modules/.bin/telemetry-injector" (telemetry-injector--root))))
      (cond ((file-executable-p local) (list (list local "lsp" "--stdio")))
            ((executable-find "telemetry-injector") (list (list "telemetry-injector" "lsp" "--stdio")))
            (t (cons nil (format "telemetry-injector: no telemetry-injector in %s or on PATH: run npm install --save-dev telemetry-injector, or set `telemetry-injector-server-command'"
                                 (file-name-directory local))))))))

(defun telemetry-injector-server-command ()
  "The server command for the current project, or an error naming the setting to fix."
  (let ((resolved (telemetry-injector--resolve)))
    (or (car resolved) (user-error "%s" (cdr resolved)))))

(defclass telemetry-injector-server (eglot-lsp-server) ()
  :documentation "A telemetry-injector server, told apart from other Eglot servers so that an exit
on its own is reported once and never reconnected.")

(defun telemetry-injector--contact (&optional _interactive)
  "The Eglot contact: the server class, the command, then the settings.
The settings go out as initializationOptions."
  (append (list 'telemetry-injector-server)
          (telemetry-injector-server-command)
          (list :initializationOptions
                (list telemetry-injector-section (or telemetry-injector-settings eglot--{})))))

(defvar telemetry-injector--failed (make-hash-table :test #'equal)
  "Project roots whose server could not start or exited, and the message shown.
Nothing starts there again until `telemetry-injector-restart'.")

(defconst telemetry-injector--fix
  "Fix `telemetry-injector-server-command' if it is wrong, then M-x telemetry-injector-restart"
  "What every failure message ends with.")

(defvar telemetry-injector--processes (make-hash-table :test #'equal)
  "Project roots and the process of the last server started there.")

(defun telemetry-injector--fail (root message)
  "Show MESSAGE, once for ROOT, and start nothing there until `telemetry-injector-restart'."
  (unless (gethash root telemetry-injector--failed)
    (puthash root message telemetry-injector--failed)
    ;; After jsonrpc's own "Server exited" line, so that this one stays in the echo area.
    (run-at-time 0 nil #'message "%s" message)))

(defun telemetry-injector--server-root (server)
  "The project root of SERVER, spelled as `telemetry-injector--root' spells it."
  (expand-file-name (project-root (eglot--project server))))

(defun telemetry-injector--watch (server)
  "For `eglot-server-initialized-hook': report SERVER's exit on its own once."
  (when (cl-typep server 'telemetry-injector-server)
    (let* ((process (jsonrpc--process server))
           (program (car (process-command process)))
           (root (telemetry-injector--server-root server)))
      (puthash root process telemetry-injector--processes)
      ;; Before Eglot's own sentinel, which may end a start in progress with an error that
      ;; `telemetry-injector--connect' then leaves unsaid: this message is the one shown.
      (add-function :before (process-sentinel process)
                    (lambda (process _event)
                      (unless (or (process-live-p process) (eglot--shutdown-requested server))
                        (telemetry-injector--fail
                         root (format "telemetry-injector: the server %s exited with code %d and will not be restarted. %s (M-x eglot-stderr-buffer has its output)."
                                      program (process-exit-status process) telemetry-injector--fix))))))))

(defun telemetry-injector--no-reconnect (server)
  "For `eglot-connect-hook': Eglot must not reconnect SERVER by itself (it does after 3 s)."
  (when (cl-typep server 'telemetry-injector-server)
    (let ((inhibit (eglot--inhibit-autoreconnect server)))
      (when (timerp inhibit) (cancel-timer inhibit)))
    (setf (eglot--inhibit-autoreconnect server) t)))

(defun telemetry-injector--connect (buffer)
  "Start the server for BUFFER unless it is managed already or failed in its project."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((root (telemetry-injector--root)))
        (unless (or (bound-and-true-p eglot--managed-mode) (gethash root telemetry-injector--failed))
          (let ((resolved (telemetry-injector--resolve)))
            (if (null (car resolved))
                (telemetry-injector--fail root (format "%s, then M-x telemetry-injector-restart" (cdr resolved)))
              (condition-case err
                  (apply #'eglot--connect (eglot--guess-contact))
                (error
                 ;; A server that died while starting (Eglot's "Server died", or a write to it
                 ;; failing) gets its one message from the watch's sentinel.
                 (let ((process (gethash root telemetry-injector--processes)))
                   (when (or (null process) (process-live-p process))
                     (signal (car err) (cdr err)))))))))))))

;;;###autoload
(defun telemetry-injector-ensure ()
  "Start the server for this buffer, as `eglot-ensure' does: put this in the modes' hooks.
Unlike `eglot-ensure', nothing starts in a project where the server could not be found or
exited on its own, until `telemetry-injector-restart'."
  (when buffer-file-name
    (let ((buffer (current-buffer)))
      (letrec ((connect (lambda ()
                          (remove-hook 'post-command-hook connect)
                          (telemetry-injector--connect buffer))))
        ;; After the command that visited the file, as eglot-ensure does: its mode is set up by then.
        (add-hook 'post-command-hook connect 'append)))))

;;;###autoload
(defun telemetry-injector-restart ()
  "Restart the server of this buffer's project, also after it failed or could not be found."
  (interactive)
  (remhash (telemetry-injector--root) telemetry-injector--failed)
  (let ((server (eglot-current-server)))
    (when server (eglot-shutdown server)))
  (telemetry-injector--connect (current-buffer)))

(defun telemetry-injector--workspace-configuration (&optional _server)
  "What workspace/configuration answers: the settings under their section."
  (list (cons telemetry-injector-section (or telemetry-injector-settings eglot--{}))))

;;;###autoload
(defun telemetry-injector-setup ()
  "Register the server with Eglot.  Then `telemetry-injector-ensure' in the modes' hooks starts it."
  (add-to-list 'eglot-server-programs (cons telemetry-injector-modes #'telemetry-injector--contact))
  (setq-default eglot-workspace-configuration #'telemetry-injector--workspace-configuration)
  (add-hook 'eglot-server-initialized-hook #'telemetry-injector--watch)
  (add-hook 'eglot-connect-hook #'telemetry-injector--no-reconnect))

(defun telemetry-injector-settings-changed ()
  "Send the current `telemetry-injector-settings' to the running server."
  (interactive)
  (eglot-signal-didChangeConfiguration (eglot--current-server-or-lose)))

(defun telemetry-injector--apply (kind)
  "Apply the server's first code action of KIND to the whole buffer, without a menu."
  (let ((action (car (eglot-code-actions (point-min) (point-min) kind))))
    (when action
      (let ((edit (plist-get action :edit))
            (command (plist-get action :command)))
        (when edit (eglot--apply-workspace-edit edit))
        (when command
          (eglot-execute-command (eglot--current-server-or-lose)
                                 (intern (plist-get command :command))
                                 (plist-get command :arguments)))))
    action))

;;;###autoload
(defun telemetry-injector-add ()
  "Add telemetry to every function of the buffer (source.fixAll.telemetry)."
  (interactive)
  (or (telemetry-injector--apply "source.fixAll.telemetry")
      (message "telemetry-injector: nothing to add in this buffer")))

;;;###autoload
(defun telemetry-injector-remove ()
  "Remove every probe and the runtime import from the buffer (source.removeTelemetry)."
  (interactive)
  (or (telemetry-injector--apply "source.removeTelemetry")
      (message "telemetry-injector: no telemetry to remove in this buffer")))

(provide 'telemetry-injector)
;;; telemetry-injector.el ends here
