;;; bad-input-test.el --- Bad input for the Emacs client -*- lexical-binding: t -*-

;; Run by tests/editors/emacs.test.ts in `emacs --batch': a setting of the wrong type, a server that
;; exits mid-session, one that crashes on start (tests/editors/broken-servers) and a server command
;; that does not exist, with clients/emacs/telemetry-injector.el.  Writes what the user was shown
;; and how many servers started to $BAD_INPUT_REPORT.  Waits only on pushes, messages and the
;; client's own state, never on fixed sleeps.

(require 'ert)
(require 'json)
(require 'telemetry-injector)

(unless (fboundp 'go-mode) (define-derived-mode go-mode prog-mode "Go"))
(unless (fboundp 'typescript-mode) (define-derived-mode typescript-mode js-mode "TypeScript"))
(add-to-list 'auto-mode-alist '("\\.go\\'" . go-mode))
(add-to-list 'auto-mode-alist '("\\.ts\\'" . typescript-mode))

(defvar bad-input--shown nil "Every message shown, newest first (the echo area's lines).")
(advice-add 'message :filter-return (lambda (text) (when text (push text bad-input--shown)) text))
(defvar bad-input--show-message nil "The server's window/showMessage notifications, newest first.")
(defvar bad-input--pushes (make-hash-table :test #'equal) "Per file: the last diagnostics pushed.")
(advice-add 'eglot-handle-notification :after
            (lambda (_server method &rest params)
              (pcase method
                ('window/showMessage (push (plist-get params :message) bad-input--show-message))
                ('textDocument/publishDiagnostics
                 (puthash (eglot--uri-to-path (plist-get params :uri)) (append (plist-get params :diagnostics) nil)
                          bad-input--pushes)))))

(defun bad-input--wait (predicate what)
  (let ((deadline (+ (float-time) 20)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline) (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.02))))

(defun bad-input--visit (file)
  "Visit FILE as a user would: the mode hook's `telemetry-injector-ensure', then the command loop's post-command-hook."
  (let ((buffer (find-file-noselect (expand-file-name file (getenv "CONFORMANCE_WORKSPACE")))))
    (with-current-buffer buffer
      (telemetry-injector-ensure)
      (run-hooks 'post-command-hook))
    buffer))

(defun bad-input--starts ()
  (let ((file (getenv "BROKEN_SERVER_STARTS")))
    (if (file-exists-p file)
        (with-temp-buffer (insert-file-contents file) (count-lines (point-min) (point-max)))
      0)))

(defun bad-input--ours ()
  "The client's messages, oldest first."
  (vconcat (seq-filter (lambda (text) (string-prefix-p "telemetry-injector:" text)) (reverse bad-input--shown))))
(defun bad-input--others ()
  "Eglot's and jsonrpc's own messages, but for the news of a connection."
  (vconcat (seq-filter (lambda (text) (and (string-match-p "^\\[\\(eglot\\|jsonrpc\\)\\]" text) (not (string-match-p "Connected!" text))))
                       (reverse bad-input--shown))))
(defun bad-input--drain ()
  "Return once the timers due before now have run (the client shows its messages from one)."
  (let (done)
    (run-at-time 0 nil (lambda () (setq done t)))
    (bad-input--wait (lambda () done) "the timers")))
(defun bad-input--shown-p ()
  (> (length (bad-input--ours)) 0))

(ert-deftest bad-input-gives-one-message-and-no-restart ()
  (let* ((workspace (getenv "CONFORMANCE_WORKSPACE"))
         (broken (getenv "BROKEN_SERVERS"))
         (root (expand-file-name (file-name-as-directory workspace)))
         (report nil))
    (telemetry-injector-setup)
    (setq eglot-autoshutdown nil)
    ;; A setting of the wrong type: the default severity, and one warning for two files.
    (setq telemetry-injector-settings '(:severity "loud"))
    (let ((app (bad-input--visit "python/app.py")) (go (bad-input--visit "go/app.go")) severities)
      (dolist (buffer (list app go))
        (bad-input--wait (lambda () (gethash (buffer-file-name buffer) bad-input--pushes)) (buffer-file-name buffer))
        (dolist (d (gethash (buffer-file-name buffer) bad-input--pushes)) (push (plist-get d :severity) severities)))
      (setq report (list :wrongType (list :severities (vconcat severities)
                                          :shown (vconcat (seq-filter (lambda (m) (string-match-p "telemetryInjector.severity" m))
                                                                      bad-input--show-message)))))
      (setq telemetry-injector-settings nil)
      (with-current-buffer app (eglot-shutdown (eglot-current-server)))
      ;; A server that exits mid-session, then one that crashes on start.
      (dolist (case '((:exitMidSession . "exit-after-initialize.mjs") (:crashOnStart . "crash-on-start.mjs")))
        (delete-file (getenv "BROKEN_SERVER_STARTS"))
        (setq bad-input--shown nil)
        (setq telemetry-injector-server-command (list (expand-file-name (cdr case) broken) "lsp" "--stdio"))
        (with-current-buffer app (telemetry-injector-restart))
        (bad-input--wait #'bad-input--shown-p "the failure to be reported")
        (bad-input--visit "javascript/app.js")
        (bad-input--visit "typescript/app.ts")
        (bad-input--drain)
        (let ((outcome (list :ours (bad-input--ours) :others (bad-input--others) :starts (bad-input--starts))))
          (with-current-buffer app (telemetry-injector-restart))
          (bad-input--wait (lambda () (> (length (bad-input--ours)) (length (plist-get outcome :ours)))) "the failure after the restart")
          (setq report (append report (list (car case) (append outcome (list :startsAfterRestart (bad-input--starts)))))))))
    ;; A server command that does not exist.
    (setq bad-input--shown nil)
    (setq telemetry-injector-server-command '("/nonexistent/telemetry-injector" "lsp" "--stdio"))
    (with-current-buffer (get-file-buffer (expand-file-name "python/app.py" workspace)) (telemetry-injector-restart))
    (bad-input--wait #'bad-input--shown-p "the message about the missing server")
    (bad-input--visit "go/app.go")
    (bad-input--visit "javascript/app.js")
    (bad-input--drain)
    (setq report (append report (list :wrongPath (list :ours (bad-input--ours) :others (bad-input--others)))))
    (with-temp-file (getenv "BAD_INPUT_REPORT") (insert (json-encode report)))))

;;; bad-input-test.el ends here
