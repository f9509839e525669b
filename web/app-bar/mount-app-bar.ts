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
