() => {
  // [n] in an answer → its card in the citation panel (that answer's sources), flashed.
  // Clicking an answer shows its sources; "复制回答" copies the answer and its sources as text.
  const panel = () => document.querySelector('#pq-citations');

  const showTurn = (turn) => {
    const p = panel();
    if (!p) return null;
    let found = null;
    p.querySelectorAll('.pq-turn').forEach((s) => {
      const on = s.dataset.turn === String(turn);
      s.hidden = !on;
      if (on) found = s;
    });
    return found;
  };

  const flash = (el) => {
    el.classList.remove('pq-flash');
    void el.offsetWidth; // restart the animation
    el.classList.add('pq-flash');
    setTimeout(() => el.classList.remove('pq-flash'), 2200);
  };

  // The chat keeps classes only: a marker is "pq-ref pq-t<turn> pq-n<n>", an answer "pq-answer pq-t<turn>".
  const classNumber = (el, prefix) => {
    const c = [...el.classList].find((x) => new RegExp(`^${prefix}\\d+$`).test(x));
    return c ? c.slice(prefix.length) : null;
  };

  const gotoRef = (ref) => {
    const turn = showTurn(classNumber(ref, 'pq-t'));
    const card = turn && turn.querySelector(`[data-n="${classNumber(ref, 'pq-n')}"]`);
    if (!card) return;
    card.scrollIntoView({ behavior: 'smooth', block: 'center' });
    flash(card);
    card.focus({ preventScroll: true });
  };

  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      return ok;
    }
  };

  document.addEventListener('click', (e) => {
    const ref = e.target.closest && e.target.closest('sup.pq-ref');
    if (ref) {
      e.preventDefault();
      e.stopPropagation();
      gotoRef(ref);
      return;
    }
    const copy = e.target.closest && e.target.closest('a.pq-copy');
    if (copy) {
      e.preventDefault();
      e.stopPropagation();
      const lines = [...copy.parentElement.querySelectorAll('.pq-copytext .pq-line')].map((l) => l.textContent);
      copyText(lines.join('\n')).then((ok) => {
        copy.textContent = ok ? '已复制' : '复制失败，请手动选择文字';
        setTimeout(() => { copy.textContent = '复制回答'; }, 1800);
      });
      return;
    }
    const answer = e.target.closest && e.target.closest('.pq-answer');
    if (answer && classNumber(answer, 'pq-t') !== null) showTurn(classNumber(answer, 'pq-t'));
  }, true);

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if ((e.key === 'Enter' || e.key === ' ') && t && t.matches && t.matches('sup.pq-ref')) {
      e.preventDefault();
      gotoRef(t);
    }
  }, true);

  // Gradio titles its toasts with the English level name ("Warning"); readers get Chinese.
  const TOAST_TITLES = { warning: '提示', info: '提示', error: '出错了', success: '完成' };
  const retitle = (root) => {
    root.querySelectorAll && root.querySelectorAll('.toast-title').forEach((t) => {
      const level = Object.keys(TOAST_TITLES).find((k) => t.classList.contains(k));
      const span = t.querySelector('span') || t;
      if (level && span.textContent.trim() !== TOAST_TITLES[level]) span.textContent = TOAST_TITLES[level];
    });
  };
  new MutationObserver((changes) => {
    for (const c of changes) c.addedNodes.forEach((n) => { if (n.nodeType === 1) retitle(n.parentElement || n); });
  }).observe(document.body, { childList: true, subtree: true });

  document.documentElement.lang = 'zh-CN';
}
