/** The width at and below which the app bar takes two rows (see main.css). */
const phoneQuery = '(max-width: 720px)';

/**
 * Keeps the app bar's order in the page the order it is read in, so the Tab key follows the
 * eye: on a wide screen the tools come before the login and the language switch, on a phone
 * they form the second row, after them. Returns the element the tools' buttons go in.
 */
export function mountAppBar(appBar: HTMLElement): HTMLElement {
  const tools = appBar.querySelector<HTMLElement>('.app-bar__tools')!;
  const account = appBar.querySelector<HTMLElement>('.app-bar__account')!;
  const phone = window.matchMedia(phoneQuery);

  const arrange = () => {
    if (phone.matches) appBar.append(tools);
    else appBar.insertBefore(tools, account);
  };
  arrange();
  phone.addEventListener('change', arrange);
  return tools;
}

/** Closes a sheet. */
type Close = () => void;

/**
 * Moves the focus to the sheet a tool `button` of the app bar opens, and back to the button
 * when a click in the sheet (its close button) closes it, or Escape pressed in it does (as it
 * closes the login dialog and a popup). The sheets lie over the map, after the panel and the
 * map's controls in the page: Tab reached them only after all of those. The sheet itself takes
 * the focus, as its content is drawn anew when its answers arrive.
 */
export function focusWithSheet(button: HTMLButtonElement, sheet: HTMLElement, close: Close) {
  sheet.tabIndex = -1;
  button.addEventListener('click', () => {
    if (!sheet.hidden) sheet.focus();
  });
  sheet.addEventListener('click', () => {
    if (sheet.hidden) button.focus();
  });
  sheet.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented || sheet.hidden) return;
    close();
    button.focus();
  });
}

/**
 * Draws a sheet's content anew as `parts`, keeping the keyboard's focus: the control that had
 * it gets it back (found by its `data-focus-key`), or where that control is gone (a button
 * whose work is done), the first element matching `replacedBy` (the status said in its place),
 * or else the sheet itself. Without this the focus fell to the page's body at each redraw.
 */
export function redrawKeepingFocus(sheet: HTMLElement, parts: Node[], replacedBy?: string) {
  const focused = document.activeElement;
  const hadFocus = focused instanceof HTMLElement && sheet.contains(focused);
  const key = hadFocus ? focused.dataset.focusKey : undefined;
  sheet.replaceChildren(...parts);
  if (!hadFocus) return;

  const again = key && sheet.querySelector<HTMLElement>(`[data-focus-key="${key}"]`);
  const gone = key && !again;
  const replacement = gone && replacedBy && sheet.querySelector<HTMLElement>(replacedBy);
  (again || replacement || sheet).focus();
}
