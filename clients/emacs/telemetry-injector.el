;;; telemetry-injector.el --- Eglot setup for the telemetry-injector language server -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools

;;; Commentary:

;; Registers the telemetry-injector language server with Eglot for Python, JavaScript,
;; TypeScript and Go buffers, sends `telemetry-injector-settings' as initializationOptions and
;; answers workspace/configuration with them, and adds two commands:
;; `telemetry-injector-add' and `telemetry-injector-remove'.  It only locates and launches the
;; server and passes settings: diagnostics, actions and edits are all the server's.
;; See README.md beside this file.

;;; Code:

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
                go-mode go-ts-mode)
  "Major modes the server is started for.")

(defun telemetry-injector--root ()
  "The project root, or `default-directory'."
  (let ((project (project-current)))
    (expand-file-name (if project (project-root project) default-directory))))

(defun telemetry-injector-server-command ()
  "The server command for the current project, or an error naming the setting to fix."
  (if telemetry-injector-server-command
      (if (executable-find (car telemetry-injector-server-command))
          telemetry-injector-server-command
        (user-error "telemetry-injector: the server command %s is not executable: fix `telemetry-injector-server-command'"
                    (car telemetry-injector-server-command)))
    (let ((local (expand-file-name "node_modules/.bin/telemetry-injector" (telemetry-injector--root))))
      (cond ((file-executable-p local) (list local "lsp" "--stdio"))
            ((executable-find "telemetry-injector") (list "telemetry-injector" "lsp" "--stdio"))
            (t (user-error "telemetry-injector: no telemetry-injector in %s or on PATH: run npm install --save-dev telemetry-injector, or set `telemetry-injector-server-command'"
                           (file-name-directory local)))))))

(defun telemetry-injector--contact (&optional _interactive)
  "The Eglot contact: the command, then the settings as initializationOptions."
  (append (telemetry-injector-server-command)
          (list :initializationOptions
                (list telemetry-injector-section (or telemetry-injector-settings eglot--{})))))

(defun telemetry-injector--workspace-configuration (&optional _server)
  "What workspace/configuration answers: the settings under their section."
  (list (cons telemetry-injector-section (or telemetry-injector-settings eglot--{}))))

;;;###autoload
(defun telemetry-injector-setup ()
  "Register the server with Eglot.  Then `eglot-ensure' in the modes' hooks starts it."
  (add-to-list 'eglot-server-programs (cons telemetry-injector-modes #'telemetry-injector--contact))
  (setq-default eglot-workspace-configuration #'telemetry-injector--workspace-configuration))

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
